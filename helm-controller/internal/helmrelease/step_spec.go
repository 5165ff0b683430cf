package helmrelease

import (
	"context"
	"strings"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/clusterkit/health"
	"github.com/tidegitops/tide/skeleton"
)

const (
	// unsupportedReason: a field Tide's helm-controller does not carry
	// out yet; it is refused rather than ignored.
	unsupportedReason = "UnsupportedField"
	// invalidSpecReason: the spec contradicts itself.
	invalidSpecReason = "InvalidSpec"
)

// checkSpec refuses what cannot be reconciled as written: neither or both
// of spec.chart and spec.chartRef, and fields Tide does not support yet
// (each would otherwise be silently ignored).
func (r *Reconciler) checkSpec(_ context.Context, s *scope) error {
	obj := s.obj
	switch {
	case obj.Spec.Chart == nil && obj.Spec.ChartRef == nil:
		return skeleton.Stall(invalidSpecReason, "one of spec.chart or spec.chartRef must be set")
	case obj.Spec.Chart != nil && obj.Spec.ChartRef != nil:
		return skeleton.Stall(invalidSpecReason, "spec.chart and spec.chartRef are mutually exclusive: keep one")
	case obj.Spec.Chart != nil && r.Templates == nil:
		return skeleton.Stall(unsupportedReason, "spec.chart is not supported by this controller yet: use spec.chartRef")
	}
	if fields := unsupportedFields(obj); len(fields) > 0 {
		return skeleton.Stall(unsupportedReason,
			"Tide's helm-controller does not support %s yet: remove them, or run Flux's helm-controller for this HelmRelease",
			strings.Join(fields, ", "))
	}
	if _, err := health.Compile(obj.Spec.HealthCheckExprs); err != nil {
		return skeleton.Stall(invalidSpecReason, "%s: fix it in spec.healthCheckExprs", err)
	}
	return nil
}

// unsupportedFields lists the set fields this controller would ignore.
func unsupportedFields(obj *helmv2.HelmRelease) []string {
	var fields []string
	add := func(set bool, name string) {
		if set {
			fields = append(fields, name)
		}
	}
	add(obj.Spec.KubeConfig != nil && obj.Spec.KubeConfig.SecretRef == nil,
		"spec.kubeConfig.configMapRef (a cloud identity: use spec.kubeConfig.secretRef with a kubeconfig Secret)")
	add(obj.GetRollback().Recreate, "spec.rollback.recreate (Helm 4 has no --recreate-pods)")
	return fields
}
