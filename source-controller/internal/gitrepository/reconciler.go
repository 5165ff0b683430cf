package gitrepository

import (
	"context"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/artifactevent"
	"github.com/tidegitops/tide/source-controller/internal/githubapp"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// Reconciler reconciles GitRepository objects.
type Reconciler struct {
	client.Client
	Skeleton *skeleton.Skeleton
	Storage  *storage.Storage
	// DependencyRequeue is how long to wait for an included GitRepository
	// that has no artifact yet.
	DependencyRequeue time.Duration
	// GitHubApps holds the installation tokens of provider: github.
	GitHubApps githubapp.Tokens
	// SSHAlgorithms are --ssh-kex-algos and --ssh-hostkey-algos.
	SSHAlgorithms gitclient.SSHAlgorithms
}

// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;patch;delete

// Reconcile runs the steps for one GitRepository.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &sourcev1.GitRepository{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{obj: obj}
	defer s.cleanup()
	before := obj.Status.Artifact.DeepCopy()
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("storage", s, r.checkStorage),
			skeleton.StepOf("auth", s, r.readAuth),
			skeleton.StepOf("trusted keys", s, r.readTrustedKeys),
			skeleton.StepOf("resolve", s, r.resolve),
			skeleton.StepOf("include", s, r.resolveIncludes),
			skeleton.StepOf("checkout", s, r.checkout),
			skeleton.StepOf("verify", s, r.verify),
			skeleton.StepOf("archive", s, r.archive),
			skeleton.StepOf("gc", s, r.collectGarbage),
		},
		Ready: func() skeleton.Success {
			return skeleton.Success{
				Reason:      meta.SucceededReason,
				Message:     fmt.Sprintf("stored artifact for revision '%s'", obj.Status.Artifact.Revision),
				EventReason: artifactevent.Reason(before, obj.Status.Artifact),
			}
		},
		Finalize: []skeleton.Step{skeleton.StepOf("remove artifacts", s, r.removeArtifacts)},
		// The revision and digest go with the outcome's event, as Flux sends them.
		EventMetadata: func() map[string]string { return artifactevent.Metadata(obj.Status.Artifact) },
	})
}
