package imageupdate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
)

// Reconciler reconciles ImageUpdateAutomation objects.
type Reconciler struct {
	// Client is the manager's client: cached reads of automations,
	// policies and GitRepositories, direct reads of Secrets.
	client.Client
	Skeleton *skeleton.Skeleton
	Options
}

// Options are the controller flags that change how automations run.
type Options struct {
	// NoCrossNamespaceRefs refuses a GitRepository in another namespace.
	NoCrossNamespaceRefs bool
	// SSHAlgorithms are the --ssh-kex-algos and --ssh-hostkey-algos.
	SSHAlgorithms gitclient.SSHAlgorithms
	// WorkDir is where clones are made; the system's temporary folder when "".
	WorkDir string
}

// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imageupdateautomations,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imageupdateautomations/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imageupdateautomations/finalizers,verbs=update
// +kubebuilder:rbac:groups=image.toolkit.fluxcd.io,resources=imagepolicies,verbs=get;list;watch
// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=gitrepositories,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Reconcile runs the steps for one ImageUpdateAutomation.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	obj := &imagev1.ImageUpdateAutomation{}
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	s := &scope{obj: obj, start: time.Now()}
	return r.Skeleton.Run(ctx, obj, skeleton.Plan{
		Steps: []skeleton.Step{
			skeleton.StepOf("spec", s, r.checkSpec),
			skeleton.StepOf("source", s, r.readSource),
			skeleton.StepOf("policies", s, r.selectPolicies),
			skeleton.StepOf("resolve", s, r.resolve),
			skeleton.StepOf("signing key", s, r.readSigningKey),
			skeleton.StepOf("update", s, r.update),
		},
		Ready:   s.success,
		Changes: s.changes,
	})
}

// success is Ready=True's message: Flux's, whether or not a commit was pushed
// (the push is reported in the event, see changes).
func (s *scope) success() skeleton.Success {
	return skeleton.Success{Reason: meta.SucceededReason, Message: "repository up-to-date"}
}

// changes reports each pushed commit as Flux's event does: where it went,
// then its message.
func (s *scope) changes() string {
	var lines []string
	for _, p := range s.pushes {
		where := fmt.Sprintf("branch '%s'", p.branch)
		if p.refspec != "" {
			where += fmt.Sprintf(" and refspecs '%s'", p.refspec) // Flux's wording, plural
		}
		lines = append(lines, fmt.Sprintf("pushed commit '%s' to %s\n%s", short(p.commit), where, p.message))
	}
	return strings.Join(lines, "\n")
}

func short(hash string) string {
	if len(hash) > 7 {
		return hash[:7]
	}
	return hash
}
