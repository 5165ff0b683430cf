package create

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
)

func newSecretGitHubApp(c *common) *cobra.Command {
	o := generate.GitHubAppSecretOptions{}
	var keyFile, caFile string
	cmd := &cobra.Command{
		Use:   "githubapp NAME",
		Short: "Create or update a Secret with a GitHub App's credentials",
		Long: `Create or update a Secret with the credentials of a GitHub App, for a
GitRepository with --provider=github: the source-controller reads the
repository with the App installation's short-lived tokens. The App needs
read access to the repository's contents. Name the App's installation by
its ID (--app-installation-id) or by the organization or user it is
installed on (--app-installation-owner), not both. Secret values are only
ever printed with --export.`,
		Example: `  tide create secret githubapp podinfo-auth --app-id=123456 --app-installation-id=7890123 --app-private-key=./app.pem
  tide create secret githubapp podinfo-auth --app-id=123456 --app-installation-owner=org --app-private-key=./app.pem
  tide create source git podinfo --url=https://github.com/org/podinfo --branch=main --provider=github --secret-ref=podinfo-auth`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			var err error
			if o.PrivateKey, err = os.ReadFile(keyFile); err != nil {
				return fmt.Errorf("--app-private-key: %w", err)
			}
			if caFile != "" {
				if o.CA, err = os.ReadFile(caFile); err != nil {
					return fmt.Errorf("--ca-file: %w", err)
				}
			}
			secret, err := generate.GitHubAppSecret(o)
			if err != nil {
				return err
			}
			return c.applySecret(cmd, "githubapp", secret)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.AppID, "app-id", "", "The GitHub App's ID (or client ID).")
	f.StringVar(&o.InstallationID, "app-installation-id", "", "The ID of the App's installation on the repository's account.")
	f.StringVar(&o.InstallationOwner, "app-installation-owner", "", "The organization or user the App is installed on, instead of --app-installation-id.")
	f.StringVar(&keyFile, "app-private-key", "", "Path to the App's private key (.pem).")
	f.StringVar(&o.BaseURL, "app-base-url", "", "GitHub Enterprise Server's API, https://HOSTNAME/api/v3 (default GitHub.com's).")
	f.StringVar(&caFile, "ca-file", "", "Path to the PEM CA certificate of a GitHub Enterprise Server with a private CA.")
	for _, name := range []string{"app-id", "app-private-key"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}
