package create

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newKustomization(c *common) *cobra.Command {
	o := generate.KustomizationOptions{}
	cmd := &cobra.Command{
		Use:     "kustomization NAME",
		Aliases: []string{"ks"},
		Short:   "Create or update a Kustomization",
		Example: `  tide create kustomization apps --source=GitRepository/flux-system --path=./apps --prune --interval=10m
  tide create kustomization web --source=apps-repo --path=./web --target-namespace=web --depends-on=infra
  tide create kustomization podinfo --source=OCIRepository/podinfo --path=./ --prune`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			ks, err := generate.Kustomization(o)
			if err != nil {
				return err
			}
			if c.export {
				return objects.Export(cmd.OutOrStdout(), ks)
			}
			return c.apply(cmd, objects.Kustomization, ks)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Source, "source", "", "Source of the manifests: [GitRepository/]NAME or OCIRepository/NAME, in the same namespace.")
	f.StringVar(&o.Path, "path", "./", "Path to the manifests in the source.")
	f.BoolVar(&o.Prune, "prune", false, "Delete objects that were applied before and are no longer in the source.")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to apply the source again (and correct drift).")
	f.StringVar(&o.TargetNamespace, "target-namespace", "", "Namespace to put the applied objects in.")
	f.StringSliceVar(&o.DependsOn, "depends-on", nil, "Kustomizations ([NAMESPACE/]NAME, comma separated) that must be ready first.")
	f.BoolVar(&o.Wait, "wait", false, "Wait for every applied object to be ready before this Kustomization is.")
	_ = cmd.MarkFlagRequired("source")
	return cmd
}
