package ssa

import (
	"strings"
)

// The per-object settings, as Flux names them. Each is read from an
// annotation or a label of that key, on the object in Git and, where it
// protects the object, on the object in the cluster; values are compared
// without regard to case.
const (
	// SSAAnnotation chooses how an object is applied: Override (default),
	// Merge, IfNotPresent or Ignore.
	SSAAnnotation = "kustomize.toolkit.fluxcd.io/ssa"
	// ForceAnnotation, when Enabled, lets Apply delete and recreate the
	// object when a change touches an immutable field.
	ForceAnnotation = "kustomize.toolkit.fluxcd.io/force"
	// PruneAnnotation, when Disabled on the object in the cluster, keeps
	// Delete from deleting it.
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

// policyOf reads the ssa setting; a missing or unknown value is Override.
// Ignore wins over IfNotPresent, which wins over Merge, when an annotation
// and a label disagree.
func policyOf(obj metaObject) policy {
	switch {
	case sets(obj, SSAAnnotation, "Ignore"):
		return ignore
	case sets(obj, SSAAnnotation, "IfNotPresent"):
		return ifNotPresent
	case sets(obj, SSAAnnotation, "Merge"):
		return merge
	default:
		return override
	}
}

// metaObject is the part of an object the policies read.
type metaObject interface {
	GetAnnotations() map[string]string
	GetLabels() map[string]string
}

// sets reports whether the object sets key to value, without regard to
// case, as an annotation or as a label: Flux reads each of its per-object
// settings from both, so a label protects an object as the annotation does.
func sets(obj metaObject, key, value string) bool {
	return strings.EqualFold(obj.GetAnnotations()[key], value) || strings.EqualFold(obj.GetLabels()[key], value)
}

// forceEnabled: force is Enabled.
func forceEnabled(obj metaObject) bool { return sets(obj, ForceAnnotation, enabledValue) }

// pruneDisabled: prune is Disabled.
func pruneDisabled(obj metaObject) bool { return sets(obj, PruneAnnotation, disabledValue) }

// reconcileDisabled: reconcile is disabled.
func reconcileDisabled(obj metaObject) bool { return sets(obj, ReconcileAnnotation, disabledValue) }
