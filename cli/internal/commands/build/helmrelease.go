package build

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/helmrender"
	"github.com/tidegitops/tide/cli/internal/kube"
)

func newHelmRelease(opts *kube.Options) *cobra.Command {
	in := &helmrender.Input{}
	cmd := &cobra.Command{
		Use:     "helmrelease NAME [--values FILE ...]",
		Aliases: []string{"hr"},
		Short:   "Render a HelmRelease from the cluster's chart and values, and print the manifests",
		Long: `Build renders the HelmRelease NAME as the helm-controller would release it now:
the chart is the artifact of its HelmChart (spec.chart, or spec.chartRef) or
OCIRepository, downloaded from the source-controller (through the apiserver's
Service proxy when the artifact URL is in the cluster) and checked against its
digest; the values are spec.valuesFrom in order, then spec.values, then the
targetPath references, composed by the controller's own code, with each --values
file merged over them in order; the release name and namespace follow the
controller's rules; the post-renderers are the controller's (spec.postRenderers,
spec.commonMetadata, the origin labels). Helm renders it in a server-side dry run
(an upgrade of the release in storage, or an install), so lookups and
.Capabilities see the cluster.

It prints the release's manifest: the rendered templates, without hooks and
without the chart's crds/ folder, as the release stores it. Values of Secrets are
printed as rendered; use 'tide diff helmrelease' to compare with the cluster with
Secrets masked.

A HelmRelease with spec.kubeConfig (a release in another cluster) is refused.`,
		Example: `  # Print what the helm-controller would release for podinfo
  tide build helmrelease podinfo -n apps

  # With local values over the cluster's
  tide build helmrelease podinfo -n apps --values ./staging-values.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.Name, in.Namespace = args[0], opts.Namespace
			ctx := cmd.Context()
			c, err := opts.Client(ctx)
			if err != nil {
				return err
			}
			config, err := opts.Config()
			if err != nil {
				return err
			}
			res, err := helmrender.Render(ctx, config, c, *in)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), res.Manifest)
			return err
		},
	}
	cmd.Flags().StringArrayVarP(&in.ValuesFiles, "values", "f", nil, "YAML file of values merged over the HelmRelease's (may be repeated; later files win).")
	return cmd
}
