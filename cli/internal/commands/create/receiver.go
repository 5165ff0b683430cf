package create

import (
	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newReceiver(c *common) *cobra.Command {
	o := generate.ReceiverOptions{}
	cmd := &cobra.Command{
		Use:   "receiver NAME",
		Short: "Create or update a Receiver (a webhook that triggers reconciles)",
		Long: `Create or update a Receiver: a webhook of the notification-controller that
asks the --resource objects to reconcile at once when it is called. Waits
until the controller has set the webhook path and prints it.`,
		Example: `  tide create receiver github --type=github --event=ping,push --secret-ref=webhook-token --resource=GitRepository/webapp
  tide create receiver fleet --type=generic --secret-ref=webhook-token --resource=GitRepository/flux-system`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			receiver, err := generate.Receiver(o)
			if err != nil {
				return err
			}
			if c.export {
				return objects.Export(cmd.OutOrStdout(), receiver)
			}
			return c.apply(cmd, objects.Receiver, receiver)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Type, "type", "", "Receiver type, e.g. generic, generic-hmac, github, gitlab.")
	f.StringVar(&o.SecretRef, "secret-ref", "", "Name of the Secret whose 'token' key signs or names the webhook.")
	f.StringSliceVar(&o.Events, "event", nil, "Event types to act on (e.g. push); repeat or comma-separate.")
	f.StringSliceVar(&o.Resources, "resource", nil, "Objects to reconcile: Kind/name; repeat or comma-separate.")
	return cmd
}
