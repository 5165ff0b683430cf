package ssa

import (
	"strings"
)

// The per-object annotations, as Flux names them. Values are compared
// without regard to case.
const (
	// SSAAnnotation chooses how an object is applied: Override (default),
	// Merge, IfNotPresent or Ignore.
	SSAAnnotation = "kustomize.toolkit.fluxcd.io/ssa"
	// ForceAnnotation, when Enabled, lets Apply delete and recreate the
	// object when a change touches an immutable field.
	ForceAnnotation = "kustomize.toolkit.fluxcd.io/force"
	// PruneAnnotation, when Disabled, keeps Delete from deleting the object.
	PruneAnnotation = "kustomize.toolkit.fluxcd.io/prune"
	// ReconcileAnnotation, when disabled on the object in Git or in the
	// cluster (as annotation or label), stops both applying and pruning it.
	ReconcileAnnotation = "kustomize.toolkit.fluxcd.io/reconcile"

	enabledValue  = "Enabled"
	disabledValue = "Disabled"
)

// policy is the value of the ssa annotation.
type policy int

const (
	// override applies the object and takes over the fields kubectl set,
	// so that what Git no longer sets is removed and hand edits reverted.
	override policy = iota
	// merge applies the object and leaves every other manager's fields alone.
	merge
	// ifNotPresent creates the object when it is missing and never updates it.
	ifNotPresent
	// ignore never applies the object.
	ignore
)

// policyOf reads the ssa annotation; a missing or unknown value is Override.
func policyOf(obj metaObject) policy {
	switch v := obj.GetAnnotations()[SSAAnnotation]; {
	case strings.EqualFold(v, "Merge"):
		return merge
	case strings.EqualFold(v, "IfNotPresent"):
		return ifNotPresent
	case strings.EqualFold(v, "Ignore"):
		return ignore
	default:
		return override
	}
}

// metaObject is the part of an object the policies read.
type metaObject interface {
	GetAnnotations() map[string]string
	GetLabels() map[string]string
}

// forceEnabled: the force annotation is Enabled.
func forceEnabled(obj metaObject) bool {
	return strings.EqualFold(obj.GetAnnotations()[ForceAnnotation], enabledValue)
}

// pruneDisabled: the prune annotation is Disabled.
func pruneDisabled(obj metaObject) bool {
	return strings.EqualFold(obj.GetAnnotations()[PruneAnnotation], disabledValue)
}

// reconcileDisabled: the reconcile annotation or label is disabled.
func reconcileDisabled(obj metaObject) bool {
	return strings.EqualFold(obj.GetAnnotations()[ReconcileAnnotation], disabledValue) ||
		strings.EqualFold(obj.GetLabels()[ReconcileAnnotation], disabledValue)
}

// setsReconcile: the object sets the reconcile annotation or label, to any
// value.
func setsReconcile(obj metaObject) bool {
	_, annotated := obj.GetAnnotations()[ReconcileAnnotation]
	_, labelled := obj.GetLabels()[ReconcileAnnotation]
	return annotated || labelled
}
