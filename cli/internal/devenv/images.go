package devenv

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
)

// The demo's image automation (examples/images), in flux-system.
const (
	DemoImagePolicy     = "hello"
	DemoImageAutomation = "fleet"
)

// waitImageUpdate waits for the image loop of the demo: the ImagePolicy
// picks the newest version in the registry, the ImageUpdateAutomation
// commits it into apps/deployment.yaml on fleet.git, the push reaches the
// cluster through the Receiver, and the demo Deployment rolls to it.
func (e *Env) waitImageUpdate(ctx context.Context) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	// The automation may have pushed before the Git server knew the
	// Receiver (connectReceiver comes last): once it has, the hook is
	// called for that push (a second call for a fetched commit is a no-op).
	key := client.ObjectKey{Namespace: kube.DefaultNamespace, Name: DemoImageAutomation}
	auto := &imagev1.ImageUpdateAutomation{}
	msg := fmt.Sprintf("waiting for ImageUpdateAutomation/%s/%s to push the newest image", key.Namespace, key.Name)
	if err := install.Poll(ctx, e.cfg.Out, e.cfg.Timeout, msg, func(ctx context.Context) (string, error) {
		if err := c.Get(ctx, key, auto); apierrors.IsNotFound(err) {
			return "not created yet (the images Kustomization applies it)", nil
		} else if err != nil {
			return "", err
		}
		if auto.Status.LastPushCommit != "" {
			return "", nil
		}
		if ready := apimeta.FindStatusCondition(auto.Status.Conditions, "Ready"); ready != nil {
			return "no commit pushed yet: " + ready.Reason + ": " + ready.Message, nil
		}
		return "no commit pushed yet", nil
	}); err != nil {
		return err
	}
	callHook(e.ReceiverURL)
	want := e.DemoImage + ":" + DemoImageLatest
	msg = fmt.Sprintf("waiting for Deployment/%s/%s to roll to %s (the image automation's commit)", DemoNamespace, DemoApp, want)
	if err := install.Poll(ctx, e.cfg.Out, e.cfg.Timeout, msg, func(ctx context.Context) (string, error) {
		return imageRollPending(ctx, c, want)
	}); err != nil {
		return err
	}
	e.cfg.Out.Success("ImageUpdateAutomation/%s/%s pushed commit %s; Deployment/%s/%s runs %s",
		kube.DefaultNamespace, DemoImageAutomation, shortHash(auto.Status.LastPushCommit), DemoNamespace, DemoApp, want)
	return e.waitCommitApplied(ctx, c, auto.Status.LastPushCommit)
}

// waitCommitApplied waits until every Kustomization built from fleet.git
// has applied commit and every demo Kustomization is Ready again: the
// automation's commit reconciles them all, so `up` ends on a settled
// cluster, not halfway through that round.
func (e *Env) waitCommitApplied(ctx context.Context, c client.Client, commit string) error {
	msg := fmt.Sprintf("waiting for the Kustomizations to apply commit %s", shortHash(commit))
	if err := install.Poll(ctx, e.cfg.Out, e.cfg.Timeout, msg, func(ctx context.Context) (string, error) {
		for _, name := range append([]string{"flux-system"}, DemoKustomizations...) {
			key := client.ObjectKey{Namespace: kube.DefaultNamespace, Name: name}
			if pending, err := kustomizationPending(ctx, c, key); pending != "" || err != nil {
				return name + ": " + pending, err
			}
			k := &kustomizev1.Kustomization{}
			if err := c.Get(ctx, key, k); err != nil {
				return "", err
			}
			if k.Spec.SourceRef.Kind == sourcev1.GitRepositoryKind && !strings.HasSuffix(k.Status.LastAppliedRevision, commit) {
				return name + ": applied " + k.Status.LastAppliedRevision + " so far", nil
			}
		}
		return "", nil
	}); err != nil {
		return err
	}
	e.cfg.Out.Success("every Kustomization is Ready, those of fleet.git at %s", shortHash(commit))
	return nil
}

// imageRollPending says why the demo Deployment does not run image yet,
// or "".
func imageRollPending(ctx context.Context, c client.Client, image string) (string, error) {
	d := &appsv1.Deployment{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: DemoNamespace, Name: DemoApp}, d); err != nil {
		return "", err
	}
	if got := d.Spec.Template.Spec.Containers[0].Image; got != image {
		return "its image is still " + got, nil
	}
	return install.Pending(ctx, c, install.DeploymentRef(DemoNamespace, DemoApp))
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
