package generate

import (
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// HelmChartOptions are the flags of `tide create source chart`.
type HelmChartOptions struct {
	Name, Namespace string
	// Source is KIND/NAME: HelmRepository/NAME or GitRepository/NAME.
	Source string
	// Chart is the chart's name in a HelmRepository, or its path in a
	// GitRepository's artifact.
	Chart string
	// Version is a semver range (HelmRepository only).
	Version           string
	ReconcileStrategy string
	Interval          time.Duration
}

// helmChartSourceKinds are the kinds a HelmChart may take its chart from.
var helmChartSourceKinds = []string{sourcev1.HelmRepositoryKind, sourcev1.GitRepositoryKind}

// HelmChart returns the HelmChart the options describe.
func HelmChart(o HelmChartOptions) (*sourcev1.HelmChart, error) {
	kind, name, err := objectRef(o.Source, "", helmChartSourceKinds, "--source")
	if err != nil {
		return nil, err
	}
	if o.Chart == "" {
		return nil, fmt.Errorf("say which chart: pass --chart=NAME (in a HelmRepository) or --chart=./path/to/chart (in a GitRepository)")
	}
	switch o.ReconcileStrategy {
	case sourcev1.ReconcileStrategyChartVersion, sourcev1.ReconcileStrategyRevision:
	default:
		return nil, fmt.Errorf("--reconcile-strategy %q is unknown: use ChartVersion (a new chart version) or Revision (every new source revision)", o.ReconcileStrategy)
	}
	if o.Interval <= 0 {
		return nil, fmt.Errorf("--interval must be positive, e.g. --interval=10m")
	}
	return &sourcev1.HelmChart{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.HelmChartKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: sourcev1.HelmChartSpec{
			Chart:             o.Chart,
			Version:           o.Version,
			SourceRef:         sourcev1.LocalHelmChartSourceReference{Kind: kind, Name: name},
			Interval:          metav1.Duration{Duration: o.Interval},
			ReconcileStrategy: o.ReconcileStrategy,
		},
	}, nil
}

// objectRef parses flag's KIND/NAME, with kind one of kinds (matched
// case-insensitively, returned as spelled in kinds); without a KIND/,
// defaultKind is used, or, when it is "", a kind is required.
func objectRef(s, defaultKind string, kinds []string, flag string) (string, string, error) {
	forms := make([]string, len(kinds))
	for i, k := range kinds {
		forms[i] = flag + "=" + k + "/NAME"
	}
	want := strings.Join(forms, " or ")
	if s == "" {
		return "", "", fmt.Errorf("say where it comes from: pass %s", want)
	}
	kind, name, found := strings.Cut(s, "/")
	if !found {
		if defaultKind == "" {
			return "", "", fmt.Errorf("%s %q: name the kind too, %s", flag, s, want)
		}
		kind, name = defaultKind, s
	}
	if name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("%s %q: use %s", flag, s, want)
	}
	for _, k := range kinds {
		if strings.EqualFold(k, kind) {
			return k, name, nil
		}
	}
	return "", "", fmt.Errorf("%s kind %q is not supported: use %s", flag, kind, want)
}
