// Package list is `tide list artifacts`: the tags of an OCI repository with
// the source and revision each artifact was pushed from.
package list

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/cli/internal/registryflags"
	"github.com/tidegitops/tide/ociartifact"
)

// New returns `tide list` with its artifacts subcommand.
func New(_ *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List artifacts in OCI registries",
	}
	cmd.AddCommand(newArtifacts())
	return cmd
}

func newArtifacts() *cobra.Command {
	var (
		registry registryflags.Flags
		filters  ociartifact.ListOptions
	)
	cmd := &cobra.Command{
		Use:     "artifacts oci://<host>/<repository>",
		Aliases: []string{"artifact"},
		Short:   "List the artifacts of an OCI repository",
		Long: `List artifacts fetches the tags of an OCI repository and, for each, the digest,
source and revision the artifact was pushed with. Cosign's signature, attestation and
SBOM tags are left out.

Credentials come from --creds, or else from ~/.docker/config.json (docker login).`,
		Example: `  # List the artifacts stored in an OCI repository
  tide list artifacts oci://ghcr.io/org/config/app

  # Only the versions of the 1.x series
  tide list artifacts oci://ghcr.io/org/config/app --filter-semver '1.x'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, err := ociartifact.ParseRepositoryURL(args[0])
			if err != nil {
				return err
			}
			c, ctx, cancel, err := registry.Client(cmd.Context())
			if err != nil {
				return err
			}
			defer cancel()
			metas, err := c.ListArtifacts(ctx, repo, filters)
			if err != nil {
				return err
			}
			rows := make([][]string, 0, len(metas))
			for _, m := range metas {
				// As flux prints it: the reference without oci://.
				rows = append(rows, []string{strings.TrimPrefix(m.URL, ociartifact.URLPrefix), m.Digest, m.Source, m.Revision})
			}
			return output.New(cmd.OutOrStdout()).Table([]string{"ARTIFACT", "DIGEST", "SOURCE", "REVISION"}, rows)
		},
	}
	cmd.Flags().StringVar(&filters.SemverFilter, "filter-semver", "", "filter tags returned from the oci repository using semver")
	cmd.Flags().StringVar(&filters.RegexFilter, "filter-regex", "", "filter tags returned from the oci repository using regex")
	registry.Bind(cmd.Flags())
	return cmd
}
