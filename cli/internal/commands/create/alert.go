package create

import (
	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newAlert(c *common) *cobra.Command {
	o := generate.AlertOptions{}
	cmd := &cobra.Command{
		Use:   "alert NAME",
		Short: "Create or update an Alert",
		Long: `Create or update an Alert: the notification-controller forwards the events of
the --event-source objects to the Provider --provider-ref names. An Alert has
no status (as in Flux), so nothing is waited for.`,
		Example: `  tide create alert flux-system --provider-ref=slack --event-severity=info --event-source=Kustomization/flux-system
  tide create alert sources --provider-ref=slack --event-source='GitRepository/*,HelmRepository/*'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			alert, err := generate.Alert(o)
			if err != nil {
				return err
			}
			if c.export {
				return objects.Export(cmd.OutOrStdout(), alert)
			}
			return c.apply(cmd, objects.Alert, alert)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ProviderRef, "provider-ref", "", "Name of the Provider the events go to.")
	f.StringVar(&o.EventSeverity, "event-severity", "", "Lowest severity forwarded: info (every event) or error.")
	f.StringSliceVar(&o.EventSources, "event-source", nil, "Objects whose events are forwarded: Kind/name, Kind/name.namespace or Kind/*; repeat or comma-separate.")
	return cmd
}
