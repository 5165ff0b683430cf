package create

import (
	"time"

	"github.com/spf13/cobra"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newSourceChart(c *common) *cobra.Command {
	o := generate.HelmChartOptions{}
	cmd := &cobra.Command{
		Use:   "chart NAME",
		Short: "Create or update a HelmChart source",
		Long: `Create or update a HelmChart: the source-controller pulls the chart from a
HelmRepository (the newest version in --chart-version's semver range), or
packages it from a path of a GitRepository, and waits for the packaged chart.`,
		Example: `  tide create source chart podinfo --source=HelmRepository/podinfo --chart=podinfo --chart-version='6.x'
  tide create source chart app --source=GitRepository/fleet --chart=./charts/app --reconcile-strategy=Revision`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			chart, err := generate.HelmChart(o)
			if err != nil {
				return err
			}
			if c.export {
				return objects.Export(cmd.OutOrStdout(), chart)
			}
			return c.apply(cmd, objects.HelmChart, chart)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Source, "source", "", "Where the chart is: HelmRepository/NAME or GitRepository/NAME, in the same namespace.")
	f.StringVar(&o.Chart, "chart", "", "The chart's name in a HelmRepository, or its path in a GitRepository.")
	f.StringVar(&o.Version, "chart-version", "", "Semver range of chart versions; the newest match is pulled (HelmRepository only; default the newest).")
	f.StringVar(&o.ReconcileStrategy, "reconcile-strategy", sourcev1.ReconcileStrategyChartVersion,
		"When to package a new chart: ChartVersion (its version changed) or Revision (the source's revision changed).")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to check for a new chart.")
	for _, name := range []string{"source", "chart"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}
