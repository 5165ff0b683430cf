package create

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newSourceHelm(c *common) *cobra.Command {
	o := generate.HelmRepositoryOptions{}
	var certFile, keyFile, caFile string
	cmd := &cobra.Command{
		Use:   "helm NAME",
		Short: "Create or update a HelmRepository source",
		Long: `Create or update a HelmRepository. An https:// (or http://) URL is a chart
repository: the source-controller fetches its index.yaml and waits for it.
An oci:// URL makes a HelmRepository of type oci: as in Flux it is static,
a holder of the registry's address and credentials for the HelmCharts that
pull from it, and nothing is fetched until one does.

Credentials given as flags (--username and --password, --cert-file and
--key-file, --ca-file) go into a Secret named helm-NAME, as flux names it,
which the HelmRepository's secretRef names; with --export both are
printed. Or pass --secret-ref to use a Secret of your own.`,
		Example: `  tide create source helm podinfo --url=https://stefanprodan.github.io/podinfo --interval=10m
  tide create source helm private --url=https://charts.example.com --secret-ref=charts-auth
  tide create source helm podinfo-oci --url=oci://ghcr.io/stefanprodan/charts --secret-ref=ghcr-auth`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			if err := readFiles(map[string]fileFlag{
				"--cert-file": {certFile, &o.Credentials.CertFile},
				"--key-file":  {keyFile, &o.Credentials.KeyFile},
				"--ca-file":   {caFile, &o.Credentials.CA},
			}); err != nil {
				return err
			}
			repo, err := generate.HelmRepository(o)
			if err != nil {
				return err
			}
			secret, err := generate.HelmRepositorySecret(o)
			if err != nil {
				return err
			}
			if secret != nil { // printed with --export, else applied first
				if err := c.applySecret(cmd, "helm", secret); err != nil {
					return err
				}
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
	f.StringVarP(&o.Credentials.Username, "username", "u", "", "Basic auth username, stored in the Secret helm-NAME.")
	f.StringVarP(&o.Credentials.Password, "password", "p", "", "Basic auth password, stored in the Secret helm-NAME.")
	f.StringVar(&certFile, "cert-file", "", "Path to a PEM client certificate (TLS), stored in the Secret helm-NAME.")
	f.StringVar(&keyFile, "key-file", "", "Path to the PEM private key of --cert-file.")
	f.StringVar(&caFile, "ca-file", "", "Path to the PEM CA certificate of the repository's server.")
	f.StringVar(&o.OCIProvider, "oci-provider", "", "How to authenticate to an oci:// registry: generic (credentials in --secret-ref).")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to fetch the index.")
	_ = cmd.MarkFlagRequired("url")
	return cmd
}

// fileFlag is a flag naming a file, and where its content goes.
type fileFlag struct {
	path string
	into *[]byte
}

// readFiles reads the file of each flag that is set.
func readFiles(flags map[string]fileFlag) error {
	for name, f := range flags {
		if f.path == "" {
			continue
		}
		data, err := os.ReadFile(f.path)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		*f.into = data
	}
	return nil
}
