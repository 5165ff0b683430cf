package create

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newSourceHelm(c *common) *cobra.Command {
	o := generate.HelmRepositoryOptions{}
	cmd := &cobra.Command{
		Use:   "helm NAME",
		Short: "Create or update a HelmRepository source",
		Long: `Create or update a HelmRepository. An https:// (or http://) URL is a chart
repository: the source-controller fetches its index.yaml and waits for it.
An oci:// URL makes a HelmRepository of type oci: as in Flux it is static,
a holder of the registry's address and credentials for the HelmCharts that
pull from it, and nothing is fetched until one does.`,
		Example: `  tide create source helm podinfo --url=https://stefanprodan.github.io/podinfo --interval=10m
  tide create source helm private --url=https://charts.example.com --secret-ref=charts-auth
  tide create source helm podinfo-oci --url=oci://ghcr.io/stefanprodan/charts --secret-ref=ghcr-auth`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			repo, err := generate.HelmRepository(o)
			if err != nil {
				return err
			}
			if c.export {
				return objects.Export(cmd.OutOrStdout(), repo)
			}
			return c.apply(cmd, objects.HelmRepository, repo)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "Helm repository address: https://, http:// or oci://.")
	f.StringVar(&o.SecretRef, "secret-ref", "", "Name of the Secret with basic auth, TLS or (oci) docker config credentials.")
	f.BoolVar(&o.PassCredentials, "pass-credentials", false, "Pass the --secret-ref credentials to hosts other than the repository's (e.g. where its charts are).")
	f.StringVar(&o.OCIProvider, "oci-provider", "", "How to authenticate to an oci:// registry: generic (credentials in --secret-ref).")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to fetch the index.")
	_ = cmd.MarkFlagRequired("url")
	return cmd
}
