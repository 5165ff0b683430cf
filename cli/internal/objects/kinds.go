package objects

import (
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// Object is a Tide object. Most have conditions (see ReadyCondition);
// Flux's Alert and Provider have no status at all.
type Object interface {
	client.Object
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
	// Plural names the objects in help texts, e.g. "GitRepositories".
	Plural string
	// GetCommand lists objects of this kind, e.g. "tide get sources git".
	GetCommand string
	// Aliases are other names KindFor accepts (e.g. "ks", "gitrepo").
	Aliases []string
	// CommandAliases are aliases of the last CLI word (e.g. "ks").
	CommandAliases []string
	// Done is the verb for a finished reconcile: "fetched" or "applied".
	Done string
	// Static, when set, tells objects of the kind that no controller
	// reconciles (see IsStatic).
	Static func(Object) bool
	// StaticWhy says why a static object is static, after "is static"
	// (default: "(type oci)").
	StaticWhy string
	// SourceOf, when set, names the source an object builds from (its
	// spec.sourceRef): kind, namespace ("" for the object's own) and name.
	SourceOf func(Object) (kind, namespace, name string)
	// RevisionHeader, when set, names the REVISION column of `tide get`
	// for the kind (e.g. "LAST SCAN"), as flux titles it.
	RevisionHeader string
	// Report, when set, is the line printed once a reconcile finished,
	// instead of "<Done> revision <revision>".
	Report func(Object) string
	// ForceAndReset tells a kind whose reconcile also takes flux's --force
	// and --reset (reconcile.fluxcd.io/forceAt and resetAt).
	ForceAndReset bool

	newObject func() Object
	newList   func() client.ObjectList
}

// GitRepository is source.toolkit.fluxcd.io/v1 GitRepository.
var GitRepository = &Kind{
	Kind:       sourcev1.GitRepositoryKind,
	APIVersion: sourcev1.GroupVersion.String(),
	Words:      []string{"source", "git"},
	Noun:       "source git",
	Plural:     "GitRepositories",
	GetCommand: "tide get sources git",
	Aliases:    []string{"gitrepository", "gitrepo"},
	Done:       "fetched",
	newObject:  func() Object { return &sourcev1.GitRepository{} },
	newList:    func() client.ObjectList { return &sourcev1.GitRepositoryList{} },
}

// HelmRepository is source.toolkit.fluxcd.io/v1 HelmRepository. One of
// type oci is static, as in Flux: no controller reconciles it.
var HelmRepository = &Kind{
	Kind:       sourcev1.HelmRepositoryKind,
	APIVersion: sourcev1.GroupVersion.String(),
	Words:      []string{"source", "helm"},
	Noun:       "source helm",
	Plural:     "HelmRepositories",
	GetCommand: "tide get sources helm",
	Aliases:    []string{"helmrepository", "helmrepo"},
	Done:       "fetched",
	Static: func(o Object) bool {
		r, ok := o.(*sourcev1.HelmRepository)
		return ok && r.Spec.Type == sourcev1.HelmRepositoryTypeOCI
	},
	newObject: func() Object { return &sourcev1.HelmRepository{} },
	newList:   func() client.ObjectList { return &sourcev1.HelmRepositoryList{} },
}

// HelmChart is source.toolkit.fluxcd.io/v1 HelmChart.
var HelmChart = &Kind{
	Kind:       sourcev1.HelmChartKind,
	APIVersion: sourcev1.GroupVersion.String(),
	Words:      []string{"source", "chart"},
	Noun:       "source chart",
	Plural:     "HelmCharts",
	GetCommand: "tide get sources chart",
	Aliases:    []string{"helmchart"},
	Done:       "fetched",
	SourceOf: func(o Object) (string, string, string) {
		ref := o.(*sourcev1.HelmChart).Spec.SourceRef
		return ref.Kind, "", ref.Name
	},
	newObject: func() Object { return &sourcev1.HelmChart{} },
	newList:   func() client.ObjectList { return &sourcev1.HelmChartList{} },
}

// OCIRepository is source.toolkit.fluxcd.io/v1 OCIRepository.
var OCIRepository = &Kind{
	Kind:       sourcev1.OCIRepositoryKind,
	APIVersion: sourcev1.GroupVersion.String(),
	Words:      []string{"source", "oci"},
	Noun:       "source oci",
	Plural:     "OCIRepositories",
	GetCommand: "tide get sources oci",
	Aliases:    []string{"ocirepository", "ocirepo"},
	Done:       "fetched",
	newObject:  func() Object { return &sourcev1.OCIRepository{} },
	newList:    func() client.ObjectList { return &sourcev1.OCIRepositoryList{} },
}

// Kustomization is kustomize.toolkit.fluxcd.io/v1 Kustomization.
var Kustomization = &Kind{
	Kind:           kustomizev1.KustomizationKind,
	APIVersion:     kustomizev1.GroupVersion.String(),
	Words:          []string{"kustomization"},
	Noun:           "kustomization",
	Plural:         "kustomizations",
	GetCommand:     "tide get kustomizations",
	Aliases:        []string{"ks", "kustomizations"},
	CommandAliases: []string{"ks"},
	Done:           "applied",
	SourceOf: func(o Object) (string, string, string) {
		ref := o.(*kustomizev1.Kustomization).Spec.SourceRef
		return ref.Kind, ref.Namespace, ref.Name
	},
	newObject: func() Object { return &kustomizev1.Kustomization{} },
	newList:   func() client.ObjectList { return &kustomizev1.KustomizationList{} },
}

// statusless is Static for Flux's Alert and Provider: they have no status,
// so nothing can report that a reconcile was handled.
func statusless(Object) bool { return true }

// Alert is notification.toolkit.fluxcd.io/v1beta3 Alert, the version
// flux's CLI writes. It has no status.
var Alert = &Kind{
	Kind:           "Alert",
	APIVersion:     notificationv1beta3.GroupVersion.String(),
	Words:          []string{"alert"},
	Noun:           "alert",
	Plural:         "Alerts",
	GetCommand:     "tide get alerts",
	CommandAliases: []string{"alerts"},
	Static:         statusless,
	StaticWhy:      "(no status: the notification-controller reads it when an event arrives)",
	newObject:      func() Object { return &notificationv1beta3.Alert{} },
	newList:        func() client.ObjectList { return &notificationv1beta3.AlertList{} },
}

// Provider is notification.toolkit.fluxcd.io/v1beta3 Provider, the
// version flux's CLI writes; the CLI calls it alert-provider. No status.
var Provider = &Kind{
	Kind:           "Provider",
	APIVersion:     notificationv1beta3.GroupVersion.String(),
	Words:          []string{"alert-provider"},
	Noun:           "alert-provider",
	Plural:         "Providers",
	GetCommand:     "tide get alert-providers",
	Aliases:        []string{"alert-provider"},
	CommandAliases: []string{"alert-providers"},
	Static:         statusless,
	StaticWhy:      "(no status: the notification-controller reads it when an event arrives)",
	newObject:      func() Object { return &notificationv1beta3.Provider{} },
	newList:        func() client.ObjectList { return &notificationv1beta3.ProviderList{} },
}

// Receiver is notification.toolkit.fluxcd.io/v1 Receiver.
var Receiver = &Kind{
	Kind:           "Receiver",
	APIVersion:     notificationv1.GroupVersion.String(),
	Words:          []string{"receiver"},
	Noun:           "receiver",
	Plural:         "Receivers",
	GetCommand:     "tide get receivers",
	CommandAliases: []string{"receivers"},
	Done:           "generated webhook path",
	newObject:      func() Object { return &notificationv1.Receiver{} },
	newList:        func() client.ObjectList { return &notificationv1.ReceiverList{} },
}

// FlowKinds are the sources, Kustomizations and HelmReleases: what `tide
// get all` shows.
var FlowKinds = []*Kind{GitRepository, HelmRepository, HelmChart, OCIRepository, Kustomization, HelmRelease}

// Kinds are every kind the day-2 commands handle, sources first.
var Kinds = append(append(append([]*Kind{}, FlowKinds...), Alert, Provider, Receiver), ImageKinds...)

// SourceKinds are the kinds of Kinds under `source` (`tide get sources all`).
func SourceKinds() []*Kind {
	var out []*Kind
	for _, k := range Kinds {
		if k.IsSource() {
			out = append(out, k)
		}
	}
	return out
}

// IsSource tells a source kind, named `source <word>` by the CLI.
func (k *Kind) IsSource() bool { return len(k.Words) == 2 && k.Words[0] == "source" }

// StaticReason is why an object of the kind is static, e.g. "(type oci)".
func (k *Kind) StaticReason() string {
	if k.StaticWhy != "" {
		return k.StaticWhy
	}
	return "(type oci)"
}

// IsStatic reports an object no controller reconciles (a HelmRepository
// of type oci): commands neither request nor wait for its reconcile.
func (k *Kind) IsStatic(obj Object) bool { return k.Static != nil && k.Static(obj) }

// KindFor finds a kind by API kind or CLI alias, case-insensitively
// ("GitRepository", "gitrepo", "Kustomization", "ks").
func KindFor(name string) (*Kind, error) {
	names := make([]string, 0, len(Kinds))
	for _, k := range Kinds {
		if strings.EqualFold(k.Kind, name) {
			return k, nil
		}
		for _, a := range k.Aliases {
			if strings.EqualFold(a, name) {
				return k, nil
			}
		}
		names = append(names, k.Kind)
	}
	return nil, fmt.Errorf("unknown kind %q: use one of %s", name, strings.Join(names, ", "))
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
	raw, err := apimeta.ExtractList(list)
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

// Revision is what the object last produced: a source's artifact
// revision, a Kustomization's last applied revision, a Receiver's
// webhook path.
func Revision(obj runtime.Object) string {
	if rev, ok := imageRevision(obj); ok {
		return rev
	}
	if rev, ok := helmRevision(obj); ok {
		return rev
	}
	switch o := obj.(type) {
	case *notificationv1.Receiver:
		return o.Status.WebhookPath
	case *kustomizev1.Kustomization:
		return o.Status.LastAppliedRevision
	case artifactHolder:
		if a := o.GetArtifact(); a != nil {
			return a.Revision
		}
	}
	return ""
}

// artifactHolder is every source kind: it serves an artifact.
type artifactHolder interface {
	GetArtifact() *meta.Artifact
}

// reconciled is what every Tide kind tells of its reconciliation (the
// getters the controllers' skeleton uses).
type reconciled interface {
	IsSuspended() bool
	GetLastHandledReconcileRequest() string
	GetObservedGeneration() int64
}

// ReadyCondition is the object's Ready condition, nil when it has none
// yet or has no status at all (Alert, Provider).
func ReadyCondition(obj Object) *metav1.Condition {
	if g, ok := obj.(conditions.Getter); ok {
		return conditions.Get(g, meta.ReadyCondition)
	}
	return nil
}

// Suspended reports spec.suspend.
func Suspended(obj runtime.Object) bool {
	switch o := obj.(type) {
	case *notificationv1beta3.Alert:
		return o.Spec.Suspend
	case *notificationv1beta3.Provider:
		return o.Spec.Suspend
	case reconciled:
		return o.IsSuspended()
	}
	return false
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
