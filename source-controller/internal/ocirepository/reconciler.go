package ocirepository

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/artifactevent"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// DefaultMaxLayerSize bounds what one layer may hold, compressed and once
// extracted, when the Reconciler sets no MaxLayerSize.
const DefaultMaxLayerSize int64 = 1 << 30

// Reconciler reconciles OCIRepository objects.
type Reconciler struct {
	client.Client
	Skeleton *skeleton.Skeleton
	Storage  *storage.Storage
	// MaxLayerSize bounds the selected layer, compressed and extracted;
	// DefaultMaxLayerSize when zero.
	MaxLayerSize int64

	// clients are the registry clients, one per set of settings.
	clients clientCache
}

// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=ocirepositories,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=ocirepositories/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=ocirepositories/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets;serviceaccounts,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Reconcile runs the steps for one OCIRepository.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &sourcev1.OCIRepository{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{obj: obj}
	defer s.cleanup()
	before := obj.Status.Artifact.DeepCopy()
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("storage", s, r.checkStorage),
			skeleton.StepOf("spec", s, r.checkSpec),
			skeleton.StepOf("auth", s, r.readAuth),
			skeleton.StepOf("resolve", s, r.resolve),
			skeleton.StepOf("pull", s, r.pull),
			skeleton.StepOf("archive", s, r.archive),
			skeleton.StepOf("gc", s, r.collectGarbage),
		},
		Ready: func() skeleton.Success {
			return skeleton.Success{
				Reason:      meta.SucceededReason,
				Message:     fmt.Sprintf("stored artifact for digest '%s'", obj.Status.Artifact.Revision),
				EventReason: artifactevent.Reason(before, obj.Status.Artifact),
			}
		},
		Finalize: []skeleton.Step{skeleton.StepOf("remove artifacts", s, r.removeArtifacts)},
		// The revision and digest go with the outcome's event, as Flux sends them.
		EventMetadata: func() map[string]string { return artifactevent.Metadata(obj.Status.Artifact) },
	})
}

func (r *Reconciler) maxLayerSize() int64 {
	if r.MaxLayerSize > 0 {
		return r.MaxLayerSize
	}
	return DefaultMaxLayerSize
}
