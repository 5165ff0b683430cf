package ssa

import (
	objpolicy "github.com/tidegitops/tide/kustomize-controller/policy"
)

// The per-object settings are defined once, in the public package policy,
// which `tide diff` reads too; these names keep this package's code short.
const (
	SSAAnnotation       = objpolicy.SSAAnnotation
	ForceAnnotation     = objpolicy.ForceAnnotation
	PruneAnnotation     = objpolicy.PruneAnnotation
	ReconcileAnnotation = objpolicy.ReconcileAnnotation

	enabledValue = objpolicy.EnabledValue
)

// policy is the value of the ssa setting.
type policy = objpolicy.SSA

const (
	override     = objpolicy.Override
	merge        = objpolicy.Merge
	ifNotPresent = objpolicy.IfNotPresent
	ignore       = objpolicy.Ignore
)

// metaObject is the part of an object the policies read.
type metaObject = objpolicy.Object

func policyOf(obj metaObject) policy        { return objpolicy.SSAOf(obj) }
func forceEnabled(obj metaObject) bool      { return objpolicy.ForceEnabled(obj) }
func reconcileDisabled(obj metaObject) bool { return objpolicy.ReconcileDisabled(obj) }

// leftAlone: see policy.LeftAlone. A dry-run result stands in for the live
// object when Git does not set these keys: what it shows of them comes from
// the cluster.
func leftAlone(obj metaObject) bool { return objpolicy.LeftAlone(obj) }

// prunable: see policy.Prunable.
func prunable(obj metaObject) bool { return objpolicy.Prunable(obj) }
