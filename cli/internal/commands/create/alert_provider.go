package create

import (
	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newAlertProvider(c *common) *cobra.Command {
	o := generate.ProviderOptions{}
	cmd := &cobra.Command{
		Use:   "alert-provider NAME",
		Short: "Create or update a Provider (where Alerts send events)",
		Long: `Create or update a Provider: a chat, webhook or Git commit status endpoint
that Alerts send events to. A Provider has no status (as in Flux), so nothing
is waited for; see 'tide events' for what the controller thinks of it.`,
		Example: `  tide create alert-provider slack --type=slack --channel=general --secret-ref=slack-url
  tide create alert-provider github-podinfo --type=github --address=https://github.com/stefanprodan/podinfo --secret-ref=github-token`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			provider, err := generate.Provider(o)
			if err != nil {
				return err
			}
			if c.export {
				return objects.Export(cmd.OutOrStdout(), provider)
			}
			return c.apply(cmd, objects.Provider, provider)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Type, "type", "", "Provider type, e.g. slack, msteams, generic, generic-hmac, github.")
	f.StringVar(&o.Channel, "channel", "", "Channel to post to, for chat providers.")
	f.StringVar(&o.Username, "username", "", "Bot user name shown by chat providers.")
	f.StringVar(&o.Address, "address", "", "Webhook or API URL, or the Git repository's URL for commit statuses.")
	f.StringVar(&o.SecretRef, "secret-ref", "", "Name of the Secret with the address, token or credentials.")
	return cmd
}
