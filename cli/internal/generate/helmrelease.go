package generate

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/transform"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// HelmReleaseOptions are the flags of `tide create helmrelease`, flux's.
type HelmReleaseOptions struct {
	Name, Namespace string
	// Source is KIND/NAME[.NAMESPACE] of the chart template's source.
	Source string
	// Chart is the chart's name in a HelmRepository, or its path in a
	// GitRepository.
	Chart        string
	ChartVersion string
	// ChartRef is OCIRepository/NAME[.NAMESPACE] or HelmChart/NAME[.NAMESPACE].
	ChartRef          string
	ChartInterval     time.Duration
	ReconcileStrategy string
	Interval          time.Duration
	ReleaseName       string
	TargetNamespace   string
	CreateNamespace   bool
	StorageNamespace  string
	ServiceAccount    string
	// CRDs is the upgrade's CRD policy (Skip, Create, CreateReplace); the
	// install then creates CRDs, as flux sets it.
	CRDs string
	// DependsOn are [NAMESPACE/]NAME of other HelmReleases.
	DependsOn []string
	// ValuesFiles are local YAML files merged in order into spec.values.
	ValuesFiles []string
	// ValuesFrom are KIND/NAME of ConfigMaps and Secrets.
	ValuesFrom          []string
	KubeConfigSecretRef string
}

var (
	helmReleaseSourceKinds   = []string{sourcev1.HelmRepositoryKind, sourcev1.GitRepositoryKind}
	helmReleaseChartRefKinds = []string{sourcev1.OCIRepositoryKind, sourcev1.HelmChartKind}
	valuesFromKinds          = []string{"Secret", "ConfigMap"}
	crdsPolicies             = []string{string(helmv2.Skip), string(helmv2.Create), string(helmv2.CreateReplace)}
)

// HelmRelease returns the HelmRelease the options describe, as flux's
// `create helmrelease` builds it.
func HelmRelease(o HelmReleaseOptions) (*helmv2.HelmRelease, error) {
	if o.Interval <= 0 {
		return nil, fmt.Errorf("--interval must be positive, e.g. --interval=10m")
	}
	hr := &helmv2.HelmRelease{
		TypeMeta:   metav1.TypeMeta{APIVersion: helmv2.GroupVersion.String(), Kind: helmv2.HelmReleaseKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: helmv2.HelmReleaseSpec{
			Interval:           metav1.Duration{Duration: o.Interval},
			ReleaseName:        o.ReleaseName,
			TargetNamespace:    o.TargetNamespace,
			StorageNamespace:   o.StorageNamespace,
			ServiceAccountName: o.ServiceAccount,
		},
	}
	if err := setChart(hr, o); err != nil {
		return nil, err
	}
	deps, err := helmDependsOn(o.DependsOn)
	if err != nil {
		return nil, err
	}
	hr.Spec.DependsOn = deps
	if o.KubeConfigSecretRef != "" {
		hr.Spec.KubeConfig = &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: o.KubeConfigSecretRef}}
	}
	if o.CreateNamespace {
		hr.Spec.Install = &helmv2.Install{CreateNamespace: true}
	}
	if o.CRDs != "" {
		policy, ok := oneOf(o.CRDs, crdsPolicies)
		if !ok {
			return nil, fmt.Errorf("--crds %q: use one of %s", o.CRDs, strings.Join(crdsPolicies, ", "))
		}
		if hr.Spec.Install == nil {
			hr.Spec.Install = &helmv2.Install{}
		}
		hr.Spec.Install.CRDs = helmv2.Create
		hr.Spec.Upgrade = &helmv2.Upgrade{CRDs: helmv2.CRDsPolicy(policy)}
	}
	if hr.Spec.Values, err = mergeValuesFiles(o.ValuesFiles); err != nil {
		return nil, err
	}
	if hr.Spec.ValuesFrom, err = valuesFrom(o.ValuesFrom); err != nil {
		return nil, err
	}
	return hr, nil
}

// setChart fills spec.chart (the template form) or spec.chartRef.
func setChart(hr *helmv2.HelmRelease, o HelmReleaseOptions) error {
	switch {
	case o.ChartRef != "" && (o.Chart != "" || o.Source != ""):
		return fmt.Errorf("--chart-ref names an existing chart source: drop --chart and --source, or drop --chart-ref")
	case o.ChartRef != "":
		kind, name, ns, err := namespacedRef(o.ChartRef, helmReleaseChartRefKinds, "--chart-ref")
		if err != nil {
			return err
		}
		hr.Spec.ChartRef = &helmv2.CrossNamespaceSourceReference{Kind: kind, Name: name, Namespace: ns}
		return nil
	case o.Chart == "":
		return fmt.Errorf("say which chart: pass --chart=NAME with --source=HelmRepository/NAME, or --chart-ref=OCIRepository/NAME or HelmChart/NAME")
	}
	kind, name, ns, err := namespacedRef(o.Source, helmReleaseSourceKinds, "--source")
	if err != nil {
		return err
	}
	strategy, ok := oneOf(o.ReconcileStrategy, []string{sourcev1.ReconcileStrategyChartVersion, sourcev1.ReconcileStrategyRevision})
	if !ok {
		return fmt.Errorf("--reconcile-strategy %q: use ChartVersion or Revision", o.ReconcileStrategy)
	}
	hr.Spec.Chart = &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{
		Chart:             o.Chart,
		Version:           o.ChartVersion,
		SourceRef:         &helmv2.CrossNamespaceObjectReference{Kind: kind, Name: name, Namespace: ns},
		ReconcileStrategy: strategy,
	}}
	if o.ChartInterval > 0 {
		hr.Spec.Chart.Spec.Interval = &metav1.Duration{Duration: o.ChartInterval}
	}
	return nil
}

// namespacedRef parses flux's KIND/NAME[.NAMESPACE] form.
func namespacedRef(s string, kinds []string, flag string) (kind, name, namespace string, err error) {
	if s == "" {
		return "", "", "", fmt.Errorf("say where the chart comes from: pass %s=%s/NAME", flag, strings.Join(kinds, "/NAME or "))
	}
	kindName, ns, _ := strings.Cut(s, ".")
	kind, name, err = objectRef(kindName, "", kinds, flag)
	if err != nil {
		return "", "", "", err
	}
	return kind, name, ns, nil
}

func helmDependsOn(in []string) ([]helmv2.DependencyReference, error) {
	var out []helmv2.DependencyReference
	for _, d := range in {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		ns, name, found := strings.Cut(d, "/")
		if !found {
			ns, name = "", d
		}
		if name == "" || strings.Contains(name, "/") {
			return nil, fmt.Errorf("--depends-on %q: use NAME or NAMESPACE/NAME of a HelmRelease", d)
		}
		out = append(out, helmv2.DependencyReference{Name: name, Namespace: ns})
	}
	return out, nil
}

// mergeValuesFiles merges the files in order, a later file's keys over an
// earlier's (maps merged deeply, as flux merges them).
func mergeValuesFiles(files []string) (*apiextensionsv1.JSON, error) {
	if len(files) == 0 {
		return nil, nil
	}
	merged := map[string]any{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--values: read %s: %w", f, err)
		}
		m := map[string]any{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("--values: %s is not a YAML map of values: %w", f, err)
		}
		merged = transform.MergeMaps(merged, m)
	}
	raw, err := json.Marshal(merged)
	if err != nil {
		return nil, err
	}
	return &apiextensionsv1.JSON{Raw: raw}, nil
}

func valuesFrom(refs []string) ([]helmv2.ValuesReference, error) {
	var out []helmv2.ValuesReference
	for _, r := range refs {
		kind, name, found := strings.Cut(r, "/")
		if !found || kind == "" || name == "" {
			return nil, fmt.Errorf("--values-from %q: use KIND/NAME, KIND one of %s", r, strings.Join(valuesFromKinds, ", "))
		}
		k, ok := oneOf(kind, valuesFromKinds)
		if !ok {
			return nil, fmt.Errorf("--values-from kind %q is not supported: use one of %s", kind, strings.Join(valuesFromKinds, ", "))
		}
		out = append(out, helmv2.ValuesReference{Kind: k, Name: name})
	}
	return out, nil
}

// oneOf returns the spelling in allowed that s equals case-insensitively.
func oneOf(s string, allowed []string) (string, bool) {
	for _, a := range allowed {
		if strings.EqualFold(a, s) {
			return a, true
		}
	}
	return "", false
}
