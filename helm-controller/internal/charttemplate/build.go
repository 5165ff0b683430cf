package charttemplate

import (
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// build returns the source object obj's template asks for, as the fields
// to apply: metadata (the template's labels and annotations, and the owner
// labels) and spec, nothing else.
func build(obj *helmv2.HelmRelease, ref *helmv2.HelmChartReference) (*unstructured.Unstructured, error) {
	tpl := obj.Spec.Chart
	var src client.Object
	if ref.Kind == sourcev1.OCIRepositoryKind {
		src = ociRepository(obj)
	} else {
		src = helmChart(obj)
	}
	src.SetName(ref.Name)
	src.SetNamespace(ref.Namespace)
	labels := map[string]string{}
	if tpl.ObjectMeta != nil {
		maps.Copy(labels, tpl.ObjectMeta.Labels)
		if len(tpl.ObjectMeta.Annotations) > 0 {
			src.SetAnnotations(maps.Clone(tpl.ObjectMeta.Annotations))
		}
	}
	labels[OwnerNameLabel] = obj.Name
	labels[OwnerNamespaceLabel] = obj.Namespace
	src.SetLabels(labels)

	fields, err := runtime.DefaultUnstructuredConverter.ToUnstructured(src)
	if err != nil {
		return nil, err
	}
	// The typed object carries an empty status and a null creation time;
	// neither is the controller's to apply.
	delete(fields, "status")
	unstructured.RemoveNestedField(fields, "metadata", "creationTimestamp")
	u := &unstructured.Unstructured{Object: fields}
	u.SetAPIVersion(sourcev1.GroupVersion.String())
	u.SetKind(ref.Kind)
	return u, nil
}

// helmChart copies the HelmChart fields of the template, with the
// HelmRelease's interval when the template has none, as Flux does.
func helmChart(obj *helmv2.HelmRelease) *sourcev1.HelmChart {
	spec := obj.Spec.Chart.Spec
	chart := &sourcev1.HelmChart{Spec: sourcev1.HelmChartSpec{
		Chart:                    spec.Chart,
		Version:                  spec.Version,
		Interval:                 obj.GetTemplateInterval(),
		ReconcileStrategy:        spec.ReconcileStrategy,
		ValuesFiles:              spec.ValuesFiles,
		IgnoreMissingValuesFiles: spec.IgnoreMissingValuesFiles,
	}}
	if spec.SourceRef != nil {
		chart.Spec.SourceRef = sourcev1.LocalHelmChartSourceReference{Kind: spec.SourceRef.Kind, Name: spec.SourceRef.Name}
	}
	if v := spec.Verify; v != nil {
		chart.Spec.Verify = &sourcev1.HelmChartVerification{Provider: v.Provider, SecretRef: v.SecretRef}
	}
	return chart
}

// ociRepository copies the OCIRepository fields of the template, with the
// HelmRelease's interval when the template has none.
func ociRepository(obj *helmv2.HelmRelease) *sourcev1.OCIRepository {
	spec := *obj.Spec.Chart.Spec.OCIRepositorySpec.DeepCopy()
	interval := obj.GetTemplateInterval()
	spec.Interval = &metav1.Duration{Duration: interval.Duration}
	return &sourcev1.OCIRepository{Spec: spec}
}
