package objects

import (
	"sort"
	"strconv"
)

// Row is what `tide get` shows about one object; it is also the JSON and
// YAML form of `tide get -o json|yaml`.
type Row struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Revision  string `json:"revision"`
	Suspended bool   `json:"suspended"`
	Ready     string `json:"ready"`
	Message   string `json:"message"`
}

// RowFor summarises obj.
func RowFor(obj Object) Row {
	r := Row{
		Kind:      obj.GetObjectKind().GroupVersionKind().Kind,
		Namespace: obj.GetNamespace(),
		Name:      obj.GetName(),
		Revision:  Revision(obj),
		Suspended: Suspended(obj),
		Ready:     "Unknown",
		Message:   "waiting to be reconciled",
	}
	if k, err := KindFor(r.Kind); err == nil && k.IsStatic(obj) {
		r.Message = StaticMessage
		if k.StaticWhy != "" {
			// As flux: an object without status is ready once it exists.
			r.Ready, r.Message = "True", k.Kind+" is Ready"
		}
	}

	if obj.GetDeletionTimestamp() != nil {
		r.Message = "being deleted"
	}
	if c := ReadyCondition(obj); c != nil {
		r.Ready, r.Message = string(c.Status), c.Message
	}
	return r
}

// StaticMessage describes an object no controller reconciles.
const StaticMessage = "static (type oci): no index to fetch, HelmCharts pull from the registry directly"

// Headers are the `tide get` columns; with NAMESPACE first for -A.
func Headers(allNamespaces bool) []string {
	h := []string{"NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"}
	if allNamespaces {
		h = append([]string{"NAMESPACE"}, h...)
	}
	return h
}

// Cells are a row's table cells, in Headers order. prefix is put before
// the name (e.g. "kustomization/" in `tide get all`); colour colours READY.
func (r Row) Cells(allNamespaces bool, prefix string, colour func(string) string) []string {
	c := []string{prefix + r.Name, r.Revision, strconv.FormatBool(r.Suspended), colour(r.Ready), r.Message}
	if allNamespaces {
		c = append([]string{r.Namespace}, c...)
	}
	return c
}

func sortObjects(items []Object) {
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].GetNamespace() != items[j].GetNamespace() {
			return items[i].GetNamespace() < items[j].GetNamespace()
		}
		return items[i].GetName() < items[j].GetName()
	})
}
