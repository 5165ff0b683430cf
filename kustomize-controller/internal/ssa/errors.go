package ssa

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// ObjectError is one object the apiserver rejected, with its reason.
type ObjectError struct {
	Ref     inventory.ObjectRef
	Message string
}

// InvalidError is returned by Apply when the dry-run of some objects failed:
// the user must fix them in Git. Nothing of the set was applied, except,
// when the rejected objects could only be validated once their CRD or
// namespace existed, the first stage (CRDs, Namespaces, ClusterRoles)
// listed in Applied.
type InvalidError struct {
	Objects []ObjectError
	Applied ChangeSet
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	if len(e.Objects) == 1 {
		b.WriteString("1 object rejected by the apiserver's dry-run, ")
	} else {
		fmt.Fprintf(&b, "%d objects rejected by the apiserver's dry-run, ", len(e.Objects))
	}
	if e.Applied.Changed() {
		b.WriteString("only the cluster-wide definitions (CRDs, Namespaces, ClusterRoles) were applied: ")
	} else {
		b.WriteString("nothing was applied: ")
	}
	for i, o := range e.Objects {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(o.Ref.String() + ": " + o.Message)
	}
	return b.String()
}

// isRejection tells apart the errors of a dry-run that say the object itself
// is wrong (the user must change it) from those of the call (RBAC, network,
// a webhook that is down), which are returned as they are.
func isRejection(err error) bool {
	return apierrors.IsInvalid(err) || apierrors.IsBadRequest(err) ||
		meta.IsNoMatchError(err) || isNamespaceNotFound(err)
}

// isNamespaceNotFound: the object's namespace does not exist.
func isNamespaceNotFound(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsNotFound(err) || !errors.As(err, &status) {
		return false
	}
	d := status.Status().Details
	return d != nil && d.Kind == "namespaces"
}

// isImmutable reports an update refused because it changes a field that
// cannot change once set: the apiserver says so with an Invalid error whose
// causes read "field is immutable" (Jobs, Services, immutable ConfigMaps and
// Secrets, PVCs, ...). StatefulSets word it differently.
func isImmutable(err error) bool {
	if !apierrors.IsInvalid(err) {
		return false
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "immutable") ||
		strings.Contains(msg, "updates to statefulset spec for fields other than")
}

// immutableMessage is the rejection of an immutable-field change when
// recreating is not allowed.
func immutableMessage(err error) string {
	return err.Error() + " (to delete and recreate the object, annotate it with " +
		ForceAnnotation + ": " + enabledValue + " or set spec.force)"
}
