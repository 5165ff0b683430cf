// Package ssa is Tide's server-side apply engine: it applies the objects a
// Kustomization built, reports what changed, prunes what left Git and waits
// for deleted objects to go.
//
// Apply validates the whole set with server-side dry-runs before it writes
// anything, so one invalid object means no object is applied. It writes in
// two stages: cluster-wide definitions (CustomResourceDefinitions,
// Namespaces, ClusterRoles) first, then, once the CRDs are established,
// everything else. An object the apply leaves as it was is "unchanged": the
// apiserver writes nothing and its resourceVersion stays; any other
// difference, including an edit made by hand, is corrected ("configured").
//
// Creating or re-applying an object takes two requests, its dry-run and its
// apply: the dry-run tells whether the object exists (its result has no
// resourceVersion when it does not) and stands in for the live object,
// which is read only on rarer paths (a take-over of kubectl's fields, a
// recreate, a CRD, a failed dry-run).
//
// The per-object settings of Flux are honoured, as annotations or labels:
//
//	kustomize.toolkit.fluxcd.io/ssa: Override | Merge | IfNotPresent | Ignore
//	kustomize.toolkit.fluxcd.io/force: Enabled      recreate on immutable-field changes
//	kustomize.toolkit.fluxcd.io/prune: Disabled     never pruned
//	kustomize.toolkit.fluxcd.io/reconcile: disabled neither applied nor pruned
//
// Ignore and disabled protect an object also when they are set only on the
// object in the cluster (by hand, or by another tool): it is neither applied
// nor pruned nor deleted with its Kustomization.
package ssa
