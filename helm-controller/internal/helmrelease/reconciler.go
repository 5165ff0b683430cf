package helmrelease

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/chartfetch"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/skeleton"
)

// Reconciler reconciles HelmRelease objects.
type Reconciler struct {
	// Client is the manager's client: cached HelmReleases and sources.
	client.Client
	// APIReader reads without cache: ConfigMaps and Secrets of valuesFrom
	// (not cached, to keep the controller's memory small) and dependencies.
	APIReader client.Reader
	Skeleton  *skeleton.Skeleton
	// Clusters connects each HelmRelease's Helm actions to its cluster,
	// as its service account (spec.kubeConfig, spec.serviceAccountName).
	Clusters *release.Clusters
	// Charts downloads and loads chart artifacts.
	Charts *chartfetch.Fetcher
	// Templates keeps the HelmChart of spec.chart in step with it; nil
	// refuses spec.chart.
	Templates ChartTemplates
	Options
}

// ChartTemplates manages the HelmChart a HelmRelease's spec.chart stands
// for (package charttemplate).
type ChartTemplates interface {
	// Reconcile creates or updates the HelmChart of obj.Spec.Chart (and
	// deletes one left by an earlier spec) and records it in
	// obj.Status.HelmChart.
	Reconcile(ctx context.Context, obj *helmv2.HelmRelease) error
	// Delete deletes the HelmChart obj owns, if any.
	Delete(ctx context.Context, obj *helmv2.HelmRelease) error
}

// Options are the controller flags that change how HelmReleases are
// reconciled.
type Options struct {
	// DependencyRequeue is the wait before looking at a dependency or a
	// chart source that is not ready again (--requeue-dependency).
	DependencyRequeue time.Duration
	// NoCrossNamespaceRefs refuses chart sources and dependencies in other
	// namespaces (--no-cross-namespace-refs).
	NoCrossNamespaceRefs bool
	// AdditiveCELDependencyCheck (feature gate) checks a dependency with a
	// readyExpr for Ready too.
	AdditiveCELDependencyCheck bool
	// DefaultToRetryOnFailure (feature gate) makes RetryOnFailure the
	// strategy of install and upgrade when they name none.
	DefaultToRetryOnFailure bool
	// WatchConfigs reconciles a HelmRelease when a ConfigMap or Secret of
	// its valuesFrom changes (off with the DisableConfigWatchers gate).
	WatchConfigs bool
}

// +kubebuilder:rbac:groups=helm.toolkit.fluxcd.io,resources=helmreleases,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=helm.toolkit.fluxcd.io,resources=helmreleases/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=helm.toolkit.fluxcd.io,resources=helmreleases/finalizers,verbs=get;create;update;patch;delete
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmcharts;ocirepositories,verbs=get;list;watch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmcharts/status;ocirepositories/status,verbs=get
// +kubebuilder:rbac:groups="",resources=configmaps;secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete
// Helm installs whatever a chart holds, so the controller, like Flux's, is
// bound to cluster-admin by the install manifests (manifests/helm-controller).

// Reconcile runs the steps for one HelmRelease.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &helmv2.HelmRelease{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	s := &scope{obj: obj, retryByDefault: r.DefaultToRetryOnFailure}
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("spec", s, r.checkSpec),
			skeleton.StepOf("dependencies", s, r.checkDependencies),
			skeleton.StepOf("source", s, r.resolveSource),
			skeleton.StepOf("values", s, r.composeValues),
			skeleton.StepOf("fetch", s, r.fetchChart),
			skeleton.StepOf("target", s, r.checkTarget),
			skeleton.StepOf("release", s, r.release),
		},
		Ready:    s.success,
		Record:   s.recordStalled,
		Finalize: []skeleton.Step{skeleton.StepOf("uninstall", s, r.finalize)},
	})
}
