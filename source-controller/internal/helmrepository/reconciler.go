package helmrepository

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/artifactevent"
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// Reconciler reconciles HelmRepository objects.
type Reconciler struct {
	client.Client
	Skeleton *skeleton.Skeleton
	Storage  *storage.Storage
	// IndexMaxSize is --helm-index-max-size: the largest index accepted.
	IndexMaxSize int64
	// Indexes, when set, receives every new index parsed here, keyed by its
	// artifact's digest, for the HelmCharts that use it.
	Indexes *helmindex.Cache

	etags etags
}

// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmrepositories,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmrepositories/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=helmrepositories/finalizers,verbs=update

// Reconcile runs the steps for one HelmRepository.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &sourcev1.HelmRepository{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if obj.IsOCI() {
		return ctrl.Result{}, r.makeStatic(ctx, obj)
	}
	s := &scope{obj: obj}
	before := obj.Status.Artifact.DeepCopy()
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("storage", s, r.checkStorage),
			skeleton.StepOf("auth", s, r.readAuth),
			skeleton.StepOf("fetch", s, r.fetch),
			skeleton.StepOf("store", s, r.store),
			skeleton.StepOf("gc", s, r.collectGarbage),
		},
		Ready: func() skeleton.Success {
			return skeleton.Success{
				Reason:      meta.SucceededReason,
				Message:     fmt.Sprintf("stored artifact: revision '%s'", obj.Status.Artifact.Revision),
				EventReason: artifactevent.Reason(before, obj.Status.Artifact),
			}
		},
		Changes:  s.changes,
		Finalize: []skeleton.Step{skeleton.StepOf("remove artifacts", s, r.removeArtifacts)},
		// The revision and digest go with the outcome's event, as Flux sends them.
		EventMetadata: func() map[string]string { return artifactevent.Metadata(obj.Status.Artifact) },
	})
}
