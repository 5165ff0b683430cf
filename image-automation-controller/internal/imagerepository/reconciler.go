package imagerepository

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/skeleton"
)

// latestTagsCount is how many tags status.lastScanResult.latestTags shows,
// as in Flux.
const latestTagsCount = 10

// Reconciler reconciles ImageRepository objects.
type Reconciler struct {
	client.Client
	Skeleton *skeleton.Skeleton
	// Tags is the tag store the ImagePolicy reconciler reads.
	Tags *tagstore.Store
	// Clients keeps the registry clients between runs.
	Clients *registry.Clients
}

// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imagerepositories,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imagerepositories/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imagerepositories/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Reconcile runs the steps for one ImageRepository.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &imagev1.ImageRepository{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{obj: obj, key: tagstore.Key{Namespace: obj.Namespace, Name: obj.Name}}
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("spec", s, r.checkSpec),
			skeleton.StepOf("due", s, r.checkDue),
			skeleton.StepOf("auth", s, r.readAuth),
			skeleton.StepOf("scan", s, r.scan),
		},
		Ready: func() skeleton.Success {
			res := obj.Status.LastScanResult
			return skeleton.Success{
				Reason:  meta.SucceededReason,
				Message: fmt.Sprintf("successful scan: found %d tags with checksum %s", res.TagCount, res.Revision),
			}
		},
		Finalize: []skeleton.Step{skeleton.StepOf("forget tags", s, r.forgetTags)},
	})
}

// forgetTags removes the repository's tags from the store.
func (r *Reconciler) forgetTags(_ context.Context, s *scope) error {
	return r.Tags.Delete(s.key)
}
