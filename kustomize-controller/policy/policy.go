// Package policy holds the per-object settings of Flux's
// kustomize-controller, read from an object's annotations and labels: how
// it is applied (ssa), whether it may be recreated (force), pruned (prune)
// or touched at all (reconcile). The controller's apply and prune
// (internal/ssa) and `tide diff` (cli/internal/clusterdiff) both decide
// with these functions, so that the preview cannot disagree with what the
// controller does.
package policy

import "strings"

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
	// prune from deleting it.
	PruneAnnotation = "kustomize.toolkit.fluxcd.io/prune"
	// ReconcileAnnotation, when disabled on the object in Git or in the
	// cluster (as annotation or label), stops both applying and pruning it.
	ReconcileAnnotation = "kustomize.toolkit.fluxcd.io/reconcile"

	// EnabledValue and DisabledValue are the values of force, prune and
	// reconcile that change something.
	EnabledValue  = "Enabled"
	DisabledValue = "Disabled"
)

// SSA is the value of the ssa setting.
type SSA int

const (
	// Override applies the object and takes over the fields kubectl set,
	// so that what Git no longer sets is removed and hand edits reverted.
	Override SSA = iota
	// Merge applies the object and leaves every other manager's fields alone.
	Merge
	// IfNotPresent creates the object when it is missing and never updates it.
	IfNotPresent
	// Ignore never applies the object.
	Ignore
)

// Object is the part of an object the settings are read from.
type Object interface {
	GetAnnotations() map[string]string
	GetLabels() map[string]string
}

// SSAOf reads the ssa setting; a missing or unknown value is Override.
// Ignore wins over IfNotPresent, which wins over Merge, when an annotation
// and a label disagree.
func SSAOf(obj Object) SSA {
	switch {
	case sets(obj, SSAAnnotation, "Ignore"):
		return Ignore
	case sets(obj, SSAAnnotation, "IfNotPresent"):
		return IfNotPresent
	case sets(obj, SSAAnnotation, "Merge"):
		return Merge
	default:
		return Override
	}
}

// ForceEnabled: force is Enabled.
func ForceEnabled(obj Object) bool { return sets(obj, ForceAnnotation, EnabledValue) }

// PruneDisabled: prune is Disabled.
func PruneDisabled(obj Object) bool { return sets(obj, PruneAnnotation, DisabledValue) }

// ReconcileDisabled: reconcile is disabled.
func ReconcileDisabled(obj Object) bool { return sets(obj, ReconcileAnnotation, DisabledValue) }

// LeftAlone reports whether the object is out of the controller's hands:
// reconcile disabled or ssa Ignore. On the object in Git it means the
// object is never applied; on the object in the cluster, set there by hand
// or by another tool, that it is neither applied nor deleted, whatever Git
// says.
func LeftAlone(obj Object) bool {
	return ReconcileDisabled(obj) || SSAOf(obj) == Ignore
}

// Prunable reports whether prune may delete the object in the cluster, as
// far as its settings go: not when prune is disabled or it is left alone.
// (Prune also requires the owner labels of the Kustomization.)
func Prunable(live Object) bool {
	return !PruneDisabled(live) && !LeftAlone(live)
}

// SkipsApply reports whether applying inGit leaves the object unchanged
// whatever it holds: the object in Git is left alone, or it exists (live
// is not nil) and is IfNotPresent in Git or left alone in the cluster.
func SkipsApply(inGit, live Object) bool {
	if LeftAlone(inGit) {
		return true
	}
	return live != nil && (SSAOf(inGit) == IfNotPresent || LeftAlone(live))
}

// sets reports whether the object sets key to value, without regard to
// case, as an annotation or as a label: Flux reads each of its per-object
// settings from both, so a label protects an object as the annotation does.
func sets(obj Object, key, value string) bool {
	return strings.EqualFold(obj.GetAnnotations()[key], value) || strings.EqualFold(obj.GetLabels()[key], value)
}
