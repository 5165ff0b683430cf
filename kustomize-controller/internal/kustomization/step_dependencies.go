package kustomization

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/skeleton/readyexpr"
)

// checkDependencies waits until every Kustomization of spec.dependsOn is
// Ready at its latest generation and, when it builds from the same source,
// has applied the revision this one is about to apply (so apps never run
// ahead of their infrastructure); or until it passes its readyExpr. A
// dependency becoming Ready wakes its dependents at once (see
// SetupWithManager); --requeue-dependency is the fallback.
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
		if err := r.dependencyReady(ctx, key, exprs[i], s); err != nil {
			return skeleton.Wait(r.DependencyRequeue, kustomizev1.DependencyNotReadyReason,
				"dependency '%s' is not ready: %s", key, err)
		}
	}
	return nil
}

// dependencyReady tells why the dependency key of s.obj is not ready, if it
// is not: by its readyExpr when there is one, else Ready at its latest
// generation with the source's revision applied; with the
// AdditiveCELDependencyCheck gate, by both. The dependency is read from the
// API server: it may belong to another shard, outside the cache.
func (r *Reconciler) dependencyReady(ctx context.Context, key types.NamespacedName, expr *readyexpr.Expr, s *scope) error {
	obj := s.obj
	dep := &kustomizev1.Kustomization{}
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
	if sameSource(dep, obj) && !s.artifact.HasRevision(dep.Status.LastAppliedRevision) {
		return fmt.Errorf("it builds from the same source and has applied revision '%s', not yet '%s'",
			dep.Status.LastAppliedRevision, s.artifact.Revision)
	}
	return nil
}

// sameSource reports whether a and b build from the same source object.
func sameSource(a, b *kustomizev1.Kustomization) bool {
	return a.Spec.SourceRef.Kind == b.Spec.SourceRef.Kind && a.Spec.SourceRef.Name == b.Spec.SourceRef.Name &&
		sourceNamespace(a) == sourceNamespace(b)
}
