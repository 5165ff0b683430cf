package create

import (
	"time"

	"github.com/spf13/cobra"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newHelmRelease(c *common) *cobra.Command {
	o := generate.HelmReleaseOptions{}
	cmd := &cobra.Command{
		Use:     "helmrelease NAME",
		Aliases: []string{"hr"},
		Short:   "Create or update a HelmRelease",
		Long: `Create or update a HelmRelease, with flux's flags: a chart template (--source and
--chart: the helm-controller makes the HelmChart) or an existing chart source
(--chart-ref=OCIRepository/NAME or HelmChart/NAME). A source in another
namespace is KIND/NAME.NAMESPACE. --values files are merged in order into
spec.values; --values-from names ConfigMaps and Secrets read at each release.
Without --export it waits until the release is installed (Ready).`,
		Example: `  tide create helmrelease podinfo --source=HelmRepository/podinfo --chart=podinfo --chart-version='>6.0.0'
  tide create hr app --source=GitRepository/fleet.flux-system --chart=./charts/app --values=./values.yaml
  tide create hr podinfo --chart-ref=OCIRepository/podinfo --target-namespace=apps --create-target-namespace
  tide create hr podinfo --source=HelmRepository/podinfo --chart=podinfo --values-from=Secret/podinfo-values --export`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			hr, err := generate.HelmRelease(o)
			return c.createOrExport(cmd, objects.HelmRelease, hr, err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ReleaseName, "release-name", "", "Name of the Helm release; default '[<target-namespace>-]<HelmRelease name>'.")
	f.StringVar(&o.Source, "source", "", "Source of the chart template: HelmRepository/NAME[.NAMESPACE] or GitRepository/NAME[.NAMESPACE].")
	f.StringVar(&o.Chart, "chart", "", "The chart's name in a HelmRepository, or its path in a GitRepository.")
	f.StringVar(&o.ChartVersion, "chart-version", "", "Semver range of chart versions (HelmRepository only; default the newest).")
	f.StringVar(&o.ChartRef, "chart-ref", "", "An existing chart source instead of a template: OCIRepository/NAME[.NAMESPACE] or HelmChart/NAME[.NAMESPACE].")
	f.StringSliceVar(&o.DependsOn, "depends-on", nil, "HelmReleases ([NAMESPACE/]NAME, comma separated) that must be ready first.")
	f.StringVar(&o.TargetNamespace, "target-namespace", "", "Namespace to install the release in; default the HelmRelease's.")
	f.BoolVar(&o.CreateNamespace, "create-target-namespace", false, "Create the target namespace when it does not exist.")
	f.StringVar(&o.StorageNamespace, "storage-namespace", "", "Namespace of Helm's release storage; default the HelmRelease's.")
	f.StringVar(&o.ServiceAccount, "service-account", "", "Service account to impersonate for every Helm action.")
	f.StringVar(&o.ReconcileStrategy, "reconcile-strategy", sourcev1.ReconcileStrategyChartVersion,
		"When the chart template's HelmChart packages a new chart: ChartVersion or Revision.")
	f.DurationVar(&o.ChartInterval, "chart-interval", 0, "How often the chart template's HelmChart checks for a new chart; default --interval.")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to reconcile the release (and correct drift).")
	f.StringSliceVar(&o.ValuesFiles, "values", nil, "Local values files (comma separated or repeated), merged in order into spec.values.")
	f.StringSliceVar(&o.ValuesFrom, "values-from", nil, "ConfigMaps or Secrets with a values.yaml key: KIND/NAME, KIND one of Secret, ConfigMap.")
	f.StringVar(&o.CRDs, "crds", "", "Upgrade policy for the chart's CRDs: Skip, Create or CreateReplace (installs then create CRDs).")
	f.StringVar(&o.KubeConfigSecretRef, "kubeconfig-secret-ref", "", "Secret with a kubeconfig (key value or value.yaml) of the cluster to release into.")
	return cmd
}
