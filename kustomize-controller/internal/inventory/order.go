package inventory

import (
	"cmp"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
)

// Entries are listed in the order Flux's kustomize-controller writes them,
// which is the order it applies the objects in: so a Kustomization that
// moves from Flux to Tide (or back) keeps the same status.inventory, and
// what shows it (kubectl, flux tree, tide tree) lists the same objects the
// same way.
//
// Flux applies in stages: first CustomResourceDefinitions, Namespaces and
// ClusterRoles, then the kinds named *Class, then the rest. Within a stage it
// orders by kind (well-known kinds in a fixed order, the others in between,
// webhook configurations last), then group, kind, namespace and name.
func applyOrder(x, y ObjectRef) int {
	return cmp.Or(
		cmp.Compare(applyStage(x), applyStage(y)),
		cmp.Compare(kindRank(x.Kind), kindRank(y.Kind)),
		cmp.Compare(x.Group, y.Group),
		cmp.Compare(x.Kind, y.Kind),
		cmp.Compare(x.Namespace, y.Namespace),
		cmp.Compare(x.Name, y.Name),
	)
}

func applyStage(r ObjectRef) int {
	switch {
	case r.Group == "apiextensions.k8s.io" && r.Kind == "CustomResourceDefinition",
		r.Group == "" && r.Kind == "Namespace",
		r.Group == rbacv1.GroupName && r.Kind == "ClusterRole":
		return 0
	case strings.HasSuffix(r.Kind, "Class"):
		return 1
	default:
		return 2
	}
}

// kindsFirst and kindsLast are Flux's kind order; other kinds rank between.
var (
	kindsFirst = []string{
		"CustomResourceDefinition", "Namespace",
		"ClusterClass", "RuntimeClass", "PriorityClass", "StorageClass", "VolumeSnapshotClass", "IngressClass", "GatewayClass",
		"ResourceQuota", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
		"ConfigMap", "Secret", "Service", "LimitRange", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
	}
	kindsLast = []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}
)

func kindRank(kind string) int {
	if i := slices.Index(kindsFirst, kind); i >= 0 {
		return i - len(kindsFirst)
	}
	if i := slices.Index(kindsLast, kind); i >= 0 {
		return i + 1
	}
	return 0
}
