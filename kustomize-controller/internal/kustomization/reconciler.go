package kustomization

import (
	"context"
	"time"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/health"
	"github.com/tidegitops/tide/kustomize-controller/internal/artifact"
	"github.com/tidegitops/tide/kustomize-controller/internal/drift"
	"github.com/tidegitops/tide/skeleton"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Reconciler reconciles Kustomization objects.
type Reconciler struct {
	// Client is the manager's client: cached reads of Kustomizations and
	// sources, direct reads of Secrets and ConfigMaps.
	client.Client
	// APIReader reads from the API server, without cache: dependencies,
	// which may belong to another shard (--watch-label-selector), and with
	// the DirectSourceFetch gate, sources.
	APIReader client.Reader
	Skeleton  *skeleton.Skeleton
	// Artifacts downloads, verifies and unpacks each artifact once, for
	// every Kustomization that builds from it.
	Artifacts *artifact.Cache
	// Clusters gives the client that applies: the local cluster as the
	// controller, as an impersonated service account, or a remote cluster.
	Clusters *Clusters
	// HealthInterval is the poll interval of health checks.
	HealthInterval time.Duration
	// Drift watches what was applied (drift.go); nil: drift is found at
	// each interval only, and no apply is skipped.
	Drift *drift.Watcher
	Options

	// builds is what each Kustomization's last build read (reuse.go).
	builds builds
}

// Options are the controller flags that change how Kustomizations are
// reconciled.
type Options struct {
	// FieldManager owns the applied fields: "kustomize-controller".
	FieldManager string
	// DependencyRequeue is the wait before looking at a dependency or a
	// source without an artifact again.
	DependencyRequeue time.Duration
	// NoCrossNamespaceRefs refuses sources and dependencies in other
	// namespaces.
	NoCrossNamespaceRefs bool
	// NoRemoteBases refuses kustomize resources fetched from the network.
	NoRemoteBases bool
	// DefaultServiceAccount is impersonated when a Kustomization names none.
	DefaultServiceAccount string
	// AllowEmptyPrune lets a build with no objects prune everything the
	// Kustomization applied before; without it such a build is refused.
	AllowEmptyPrune bool
	// ConcurrentSSA bounds the apply requests one Kustomization has under
	// way (--concurrent-ssa); 8 when 0.
	ConcurrentSSA int
	// OverrideManagers are field managers (--override-manager) whose fields
	// are taken over on apply, as kubectl's are.
	OverrideManagers []string
	// CustomStageKinds (--custom-apply-stage-kinds) are applied after the
	// CRDs and Namespaces, before the other objects.
	CustomStageKinds map[schema.GroupKind]bool
	// AdditiveCELDependencyCheck (feature gate) checks a dependency with a
	// readyExpr for Ready too, instead of the expression alone.
	AdditiveCELDependencyCheck bool
	// DirectSourceFetch (feature gate) reads sources from the API server
	// rather than the cache, which may lag behind a new artifact.
	DirectSourceFetch bool
	// DisableConfigWatchers (feature gate) stops watching the ConfigMaps
	// and Secrets of postBuild.substituteFrom (see SetupWithManager).
	DisableConfigWatchers bool
	// DisableCommitStatusEvent (feature gate) sends no success event, so
	// Git providers get no commit status from this controller.
	DisableCommitStatusEvent bool
	// DriftSafetyFactor (--drift-safety-interval-factor): a build unchanged
	// since the last full check skips the apply; once that check is this
	// many intervals old, a safety check compares resourceVersions from the
	// watch caches (no request) and dry-runs and applies those that moved
	// (see lastCheck); 1 or less: every run checks in full.
	DriftSafetyFactor int
	// NotStrictSubstitutions (the feature gate StrictPostBuildSubstitutions
	// set to false) substitutes the empty string for a variable with no
	// value and no default, instead of failing the build.
	NotStrictSubstitutions bool
}

// +kubebuilder:rbac:groups=kustomize.toolkit.fluxcd.io,resources=kustomizations,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=kustomize.toolkit.fluxcd.io,resources=kustomizations/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=kustomize.toolkit.fluxcd.io,resources=kustomizations/finalizers,verbs=update
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets;configmaps;serviceaccounts,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete

// Reconcile runs the steps for one Kustomization.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &kustomizev1.Kustomization{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) {
			r.forgetDrift(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !obj.DeletionTimestamp.IsZero() {
		r.forgetDrift(req.NamespacedName) // the prune of deletion is no drift
	}
	s := &scope{obj: obj, start: time.Now()}
	defer s.cleanup()
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("spec", s, r.checkSpec),
			skeleton.StepOf("source", s, r.resolveSource),
			skeleton.StepOf("dependencies", s, r.checkDependencies),
			skeleton.StepOf("fetch", s, r.fetch),
			skeleton.StepOf("build", s, r.build),
			skeleton.StepOf("apply", s, r.apply),
			skeleton.StepOf("prune", s, r.prune),
			skeleton.StepOf("health", s, r.checkHealth),
			skeleton.StepOf("record", s, r.recordApplied),
		},
		Ready:   s.success,
		Changes: s.changeList,
		Record:  s.recordHistory,
		// The revision goes with the outcome's event, for the
		// notification-controller (Git commit statuses, alerts).
		EventMetadata:   s.eventMetadata,
		SuccessMetadata: successMetadata,
		NoSuccessEvent:  r.DisableCommitStatusEvent,
		Finalize:        []skeleton.Step{skeleton.StepOf("garbage collect", s, r.finalize)},
	})
}

// checker returns the health checker reading from the cluster c.
func (r *Reconciler) checker(c client.Client) *health.Checker {
	return &health.Checker{Reader: c, Interval: r.HealthInterval}
}
