package imagepolicy

import (
	"context"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/skeleton"
)

// DefaultDependencyRequeue is how soon a policy whose ImageRepository is
// missing, denied or not scanned yet looks again, when the Reconciler sets
// no DependencyRequeue (Flux's --requeue-dependency default).
const DefaultDependencyRequeue = 30 * time.Second

// Reconciler reconciles ImagePolicy objects.
type Reconciler struct {
	client.Client
	Skeleton *skeleton.Skeleton
	// Tags is the tag store the ImageRepository reconciler writes.
	Tags *tagstore.Store
	// Clients keeps the registry clients (shared with the ImageRepository
	// reconciler) for digest reads.
	Clients *registry.Clients
	// NoCrossNamespaceRefs refuses an ImageRepository in another
	// namespace (--no-cross-namespace-refs).
	NoCrossNamespaceRefs bool
	// DependencyRequeue: see DefaultDependencyRequeue.
	DependencyRequeue time.Duration
}

// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imagepolicies,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imagepolicies/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imagepolicies/finalizers,verbs=update
// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imagerepositories,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Reconcile runs the steps for one ImagePolicy.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &imagev1.ImagePolicy{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{obj: obj}
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("spec", s, r.checkSpec),
			skeleton.StepOf("repository", s, r.getRepository),
			skeleton.StepOf("choose", s, r.choose),
			skeleton.StepOf("digest", s, r.reflectDigest),
		},
		Ready: func() skeleton.Success {
			return skeleton.Success{Reason: meta.SucceededReason, Message: readyMessage(obj)}
		},
	})
}

// readyMessage is Flux's, word for word (flux get images policy shows it,
// and Alerts' exclusionList match it): the pick, or the tag before and the
// tag now when the tag changed. A reflected digest is added at the end, so a
// digest that changed under the same tag changes the message, and is
// reported, too.
func readyMessage(obj *imagev1.ImagePolicy) string {
	latest := obj.Status.LatestRef
	msg := fmt.Sprintf("Latest image tag for '%s' resolved to %s", latest.Name, latest.Tag)
	if prev := obj.Status.ObservedPreviousRef; prev != nil && prev.Tag != latest.Tag {
		msg = fmt.Sprintf("Latest image tag for '%s' updated from %s to %s", latest.Name, prev.Tag, latest.Tag)
	}
	if latest.Digest != "" {
		msg += " with digest " + latest.Digest
	}
	return msg
}

func (r *Reconciler) dependencyRequeue() time.Duration {
	if r.DependencyRequeue > 0 {
		return r.DependencyRequeue
	}
	return DefaultDependencyRequeue
}
