package helmchart

import (
	"context"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/artifactevent"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// Reconciler reconciles HelmChart objects.
type Reconciler struct {
	client.Client
	Skeleton *skeleton.Skeleton
	Storage  *storage.Storage
	// Limits are --helm-chart-max-size and --helm-chart-file-max-size.
	Limits chartbuild.Limits
	// DependencyRequeue is how long to wait for a source without an
	// artifact (--requeue-dependency).
	DependencyRequeue time.Duration
	// HTTP opens HelmRepositories of type default: their index (shared,
	// parsed once per index digest) and chart downloads.
	HTTP HTTPRepositories
}

// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmcharts,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmcharts/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmcharts/finalizers,verbs=update
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmrepositories,verbs=get;list;watch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile runs the steps for one HelmChart.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &sourcev1.HelmChart{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{obj: obj}
	defer s.cleanup()
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("storage", s, r.checkStorage),
			skeleton.StepOf("refuse unsupported", s, r.refuseUnsupported),
			skeleton.StepOf("source", s, r.getSource),
			skeleton.StepOf("build", s, r.build),
			skeleton.StepOf("store", s, r.store),
			skeleton.StepOf("gc", s, r.collectGarbage),
		},
		Ready:    s.success,
		Finalize: []skeleton.Step{skeleton.StepOf("remove artifacts", s, r.removeArtifacts)},
		// The revision and digest go with the outcome's event, as Flux sends
		// them; its reason stays the build's (ChartPackageSucceeded or
		// ChartPullSucceeded), as Flux's HelmChart events.
		EventMetadata: func() map[string]string { return artifactevent.Metadata(obj.Status.Artifact) },
	})
}
