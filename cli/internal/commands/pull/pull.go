// Package pull is `tide pull artifact`: download an OCI artifact pushed by
// tide or flux and extract its content into a folder, refusing entries that
// would land outside it.
package pull

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/cli/internal/registryflags"
	"github.com/tidegitops/tide/ociartifact"
)

// New returns `tide pull` with its artifact subcommand.
func New(_ *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pull",
		Short: "Pull artifacts from OCI registries",
	}
	cmd.AddCommand(newArtifact())
	return cmd
}

func newArtifact() *cobra.Command {
	var (
		registry registryflags.Flags
		dir      string
	)
	cmd := &cobra.Command{
		Use:   "artifact oci://<host>/<repository>:<tag> --output DIR",
		Short: "Pull an OCI artifact and extract its content",
		Long: `Pull artifact downloads an OCI artifact made by tide or flux push artifact and
extracts its content layer into the existing folder --output. An entry that would land
outside the folder (an absolute path, '..', a symlink leading out), a hard link or a
device file is refused.

Credentials come from --creds, or else from ~/.docker/config.json (docker login).`,
		Example: `  # Pull an artifact into a local folder
  tide pull artifact oci://ghcr.io/org/manifests/app:v0.0.1 --output ./manifests`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return fmt.Errorf("--output is required: the folder to extract into")
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				return fmt.Errorf("invalid output path %q: it must be an existing folder", dir)
			}
			url, err := ociartifact.ParseURL(args[0])
			if err != nil {
				return err
			}
			c, ctx, cancel, err := registry.Client(cmd.Context())
			if err != nil {
				return err
			}
			defer cancel()
			log := output.New(cmd.ErrOrStderr())
			log.Info("pulling artifact from %s", url)
			// No size limit, as flux pull artifact: the user asked for it.
			meta, err := c.Pull(ctx, url, dir, ociartifact.NoSizeLimit)
			if err != nil {
				return err
			}
			log.Success("source %s", meta.Source)
			log.Success("revision %s", meta.Revision)
			log.Success("digest %s", meta.Digest)
			log.Success("artifact content extracted to %s", dir)
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "", "path where the artifact content should be extracted.")
	registry.Bind(cmd.Flags())
	return cmd
}
