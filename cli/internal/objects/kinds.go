package objects

import (
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/runtime/conditions"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// Object is a Tide object: it has conditions and a reconcile request status.
type Object interface {
	client.Object
	conditions.Getter
}

// Kind describes one Tide kind and how the CLI names it.
type Kind struct {
	// Kind is the API kind, e.g. "GitRepository".
	Kind string
	// APIVersion is group/version, e.g. "source.toolkit.fluxcd.io/v1".
	APIVersion string
	// Words are the CLI words after the verb, e.g. ["source", "git"].
	Words []string
	// Noun is how messages name it, e.g. "source git" or "kustomization".
	Noun string
	// GetCommand lists objects of this kind, e.g. "tide get sources git".
	GetCommand string
	// Aliases are other names KindFor accepts (e.g. "ks", "gitrepo").
	Aliases []string
	// CommandAliases are aliases of the last CLI word (e.g. "ks").
	CommandAliases []string
	// Done is the verb for a finished reconcile: "fetched" or "applied".
	Done string

	newObject func() Object
	newList   func() client.ObjectList
}

// GitRepository is source.toolkit.fluxcd.io/v1 GitRepository.
var GitRepository = &Kind{
	Kind:       sourcev1.GitRepositoryKind,
	APIVersion: sourcev1.GroupVersion.String(),
	Words:      []string{"source", "git"},
	Noun:       "source git",
	GetCommand: "tide get sources git",
	Aliases:    []string{"gitrepository", "gitrepo"},
	Done:       "fetched",
	newObject:  func() Object { return &sourcev1.GitRepository{} },
	newList:    func() client.ObjectList { return &sourcev1.GitRepositoryList{} },
}

// Kustomization is kustomize.toolkit.fluxcd.io/v1 Kustomization.
var Kustomization = &Kind{
	Kind:           kustomizev1.KustomizationKind,
	APIVersion:     kustomizev1.GroupVersion.String(),
	Words:          []string{"kustomization"},
	Noun:           "kustomization",
	GetCommand:     "tide get kustomizations",
	Aliases:        []string{"ks", "kustomizations"},
	CommandAliases: []string{"ks"},
	Done:           "applied",
	newObject:      func() Object { return &kustomizev1.Kustomization{} },
	newList:        func() client.ObjectList { return &kustomizev1.KustomizationList{} },
}

// Kinds are every kind the day-2 commands handle, sources first.
var Kinds = []*Kind{GitRepository, Kustomization}

// KindFor finds a kind by API kind or CLI alias, case-insensitively
// ("GitRepository", "gitrepo", "Kustomization", "ks").
func KindFor(name string) (*Kind, error) {
	for _, k := range Kinds {
		if strings.EqualFold(k.Kind, name) {
			return k, nil
		}
		for _, a := range k.Aliases {
			if strings.EqualFold(a, name) {
				return k, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown kind %q: use GitRepository or Kustomization", name)
}

// New returns an empty object of this kind, with apiVersion and kind set.
func (k *Kind) New() Object {
	obj := k.newObject()
	obj.GetObjectKind().SetGroupVersionKind(k.GVK())
	return obj
}

// NewList returns an empty list of this kind.
func (k *Kind) NewList() client.ObjectList { return k.newList() }

// Items returns the objects of a list made by NewList.
func (k *Kind) Items(list client.ObjectList) []Object {
	raw, err := meta.ExtractList(list)
	if err != nil {
		panic(err) // our own list types always have Items
	}
	items := make([]Object, 0, len(raw))
	for _, o := range raw {
		obj := o.(Object)
		obj.GetObjectKind().SetGroupVersionKind(k.GVK())
		items = append(items, obj)
	}
	return items
}

// GVK is the kind's group, version and kind.
func (k *Kind) GVK() schema.GroupVersionKind {
	return schema.FromAPIVersionAndKind(k.APIVersion, k.Kind)
}

// Revision is what the object last produced: a GitRepository's artifact
// revision, a Kustomization's last applied revision.
func Revision(obj runtime.Object) string {
	switch o := obj.(type) {
	case *sourcev1.GitRepository:
		if o.Status.Artifact != nil {
			return o.Status.Artifact.Revision
		}
	case *kustomizev1.Kustomization:
		return o.Status.LastAppliedRevision
	}
	return ""
}

// reconciled is what every Tide kind tells of its reconciliation (the
// getters the controllers' skeleton uses).
type reconciled interface {
	IsSuspended() bool
	GetLastHandledReconcileRequest() string
	GetObservedGeneration() int64
}

// Suspended reports spec.suspend.
func Suspended(obj runtime.Object) bool {
	o, ok := obj.(reconciled)
	return ok && o.IsSuspended()
}

// LastHandledReconcileAt is the last reconcile request token the
// controller finished.
func LastHandledReconcileAt(obj runtime.Object) string {
	if o, ok := obj.(reconciled); ok {
		return o.GetLastHandledReconcileRequest()
	}
	return ""
}

// ObservedGeneration is status.observedGeneration.
func ObservedGeneration(obj runtime.Object) int64 {
	if o, ok := obj.(reconciled); ok {
		return o.GetObservedGeneration()
	}
	return 0
}
