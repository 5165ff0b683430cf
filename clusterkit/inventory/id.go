package inventory

import (
	"fmt"
	"strings"
)

// An inventory id is written exactly as Flux's kustomize-controller writes
// it (the object metadata string of cli-utils):
//
//	<namespace>_<name>_<group>_<kind>
//
// so that either controller can prune what the other applied. No namespace
// (a DNS label), group (a DNS subdomain) or kind contains '_', so the name is
// all that lies between the first '_' and the last two, even where it holds
// '_' itself.
//
// RBAC objects are the one kind of object whose names may hold ':' (they are
// path segments; the names of other kinds are DNS subdomains), as in
// "system:controller:foo". Their ids write each ':' as "__", and reading an id
// of an RBAC kind turns "__" back into ':'. An RBAC name that holds "__" or
// "_:" itself cannot be told apart from another name in this format, in Flux
// as here: it is read back as the name with ':'.
const (
	idSeparator = "_"
	colonInID   = "__"
)

// rbacGroup and rbacKinds are the kinds whose ids escape ':' in names.
const rbacGroup = "rbac.authorization.k8s.io"

var rbacKinds = map[string]bool{"Role": true, "ClusterRole": true, "RoleBinding": true, "ClusterRoleBinding": true}

func escapesColons(group, kind string) bool {
	return group == rbacGroup && rbacKinds[kind]
}

// ID is the inventory id of the object; the version is kept apart (the
// entry's 'v'), so an object whose API version changes in Git is still the
// same object.
func (r ObjectRef) ID() string {
	name := r.Name
	if escapesColons(r.Group, r.Kind) {
		name = strings.ReplaceAll(name, ":", colonInID)
	}
	return strings.Join([]string{r.Namespace, name, r.Group, r.Kind}, idSeparator)
}

// ParseID reads an inventory id and version back into a reference. It reads
// every id Flux writes, and also ids of RBAC names that hold '_', which
// Flux writes but refuses to read back.
func ParseID(id, version string) (ObjectRef, error) {
	namespace, rest, ok := strings.Cut(id, idSeparator)
	rest, kind, hasKind := cutLast(rest, idSeparator)
	name, group, hasGroup := cutLast(rest, idSeparator)
	if !ok || !hasKind || !hasGroup || name == "" || kind == "" {
		return ObjectRef{}, fmt.Errorf("invalid inventory id %q: want <namespace>_<name>_<group>_<kind>", id)
	}
	if escapesColons(group, kind) {
		name = strings.ReplaceAll(name, colonInID, ":")
	}
	return ObjectRef{Namespace: namespace, Name: name, Group: group, Kind: kind, Version: version}, nil
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}
