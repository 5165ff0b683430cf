package create

import (
	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
)

func newSecretOCI(c *common) *cobra.Command {
	o := generate.OCISecretOptions{}
	cmd := &cobra.Command{
		Use:   "oci NAME",
		Short: "Create or update a Secret with an OCI registry's credentials",
		Long: `Create or update a docker config Secret (type kubernetes.io/dockerconfigjson)
with a registry's username and password, for an OCIRepository or a
HelmRepository of type oci (--secret-ref). Secret values are only ever
printed with --export.`,
		Example: `  tide create secret oci ghcr-auth --url=ghcr.io --username=bot --password=$TOKEN
  tide create source oci app --url=oci://ghcr.io/org/app --tag=latest --secret-ref=ghcr-auth`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			secret, err := generate.OCISecret(o)
			if err != nil {
				return err
			}
			return c.applySecret(cmd, "oci", secret)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "The registry, e.g. ghcr.io.")
	f.StringVarP(&o.Username, "username", "u", "", "Basic auth username.")
	f.StringVarP(&o.Password, "password", "p", "", "Basic auth password, or a token.")
	_ = cmd.MarkFlagRequired("url")
	return cmd
}
