package helmrelease

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/skeleton/readyexpr"
)

// accessDeniedReason: a reference leaves the namespace while
// --no-cross-namespace-refs forbids it (Flux's reason).
const accessDeniedReason = "AccessDenied"

// checkDependencies waits until every HelmRelease of spec.dependsOn is
// Ready at its latest generation, or passes its readyExpr (both with the
// AdditiveCELDependencyCheck gate). A dependency becoming Ready wakes its
// dependents at once (see SetupWithManager); --requeue-dependency is the
// fallback.
func (r *Reconciler) checkDependencies(ctx context.Context, s *scope) error {
	obj := s.obj
	exprs := make([]*readyexpr.Expr, len(obj.Spec.DependsOn))
	for i, dep := range obj.Spec.DependsOn {
		if dep.ReadyExpr == "" {
			continue
		}
		expr, err := readyexpr.Compile(dep.ReadyExpr)
		if err != nil {
			return skeleton.Stall(meta.InvalidCELExpressionReason, "spec.dependsOn[%d]: %s: fix it", i, err)
		}
		exprs[i] = expr
	}
	for i, dep := range obj.Spec.DependsOn {
		key := types.NamespacedName{Namespace: dep.Namespace, Name: dep.Name}
		if key.Namespace == "" {
			key.Namespace = obj.Namespace
		}
		if r.NoCrossNamespaceRefs && key.Namespace != obj.Namespace {
			return skeleton.Stall(accessDeniedReason,
				"cross-namespace references are disabled on this controller (--no-cross-namespace-refs): "+
					"dependency '%s' must be in namespace '%s'", key, obj.Namespace)
		}
		if err := r.dependencyReady(ctx, key, exprs[i], obj); err != nil {
			return skeleton.Wait(r.DependencyRequeue, helmv2.DependencyNotReadyReason,
				"dependency '%s' is not ready: %s", key, err)
		}
	}
	return nil
}

// dependencyReady tells why the dependency key is not ready, if it is not.
func (r *Reconciler) dependencyReady(ctx context.Context, key types.NamespacedName, expr *readyexpr.Expr, obj *helmv2.HelmRelease) error {
	dep := &helmv2.HelmRelease{}
	if err := r.APIReader.Get(ctx, key, dep); err != nil {
		if apierrors.IsNotFound(err) {
			return fmt.Errorf("not found")
		}
		return err
	}
	if expr != nil {
		ready, err := expr.Ready(dep, obj)
		switch {
		case err != nil:
			return err
		case !ready:
			return fmt.Errorf("its readyExpr is false")
		case !r.AdditiveCELDependencyCheck:
			return nil
		}
	}
	if dep.Status.ObservedGeneration != dep.Generation {
		return fmt.Errorf("generation %d not reconciled yet", dep.Generation)
	}
	if !conditions.IsReady(dep) {
		msg := conditions.GetMessage(dep, meta.ReadyCondition)
		if msg == "" {
			msg = "not reconciled yet"
		}
		return fmt.Errorf("%s", msg)
	}
	return nil
}
