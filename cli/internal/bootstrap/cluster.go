package bootstrap

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/output"
)

// reconcileRequestAnnotation asks a controller to reconcile now (Flux's).
const reconcileRequestAnnotation = "reconcile.fluxcd.io/requestedAt"

// secret is the flux-system Secret the GitRepository authenticates with.
func (co *checkout) secret() (*unstructured.Unstructured, error) {
	o := co.opts
	data := map[string][]byte{}
	switch {
	case o.PrivateKeyFile != "":
		key, err := os.ReadFile(o.PrivateKeyFile)
		if err != nil {
			return nil, err
		}
		data["identity"] = key
		data["known_hosts"] = []byte(*co.knownHosts)
		if o.Password != "" {
			data["password"] = []byte(o.Password)
		}
	case o.Token != "":
		data["bearerToken"] = []byte(o.Token)
	default:
		data["username"] = []byte(o.username())
		data["password"] = []byte(o.Password)
	}
	s := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: SyncName, Namespace: o.Namespace},
		Data:       data,
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(s)
	if err != nil {
		return nil, err
	}
	delete(u["metadata"].(map[string]any), "creationTimestamp")
	return &unstructured.Unstructured{Object: u}, nil
}

// requestReconcile annotates the sync objects so that their controllers
// reconcile them now rather than at the next interval.
func requestReconcile(ctx context.Context, c client.Client, objs []*unstructured.Unstructured) error {
	now := time.Now().Format(time.RFC3339Nano)
	for _, o := range objs {
		patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, reconcileRequestAnnotation, now)
		target := &unstructured.Unstructured{}
		target.SetGroupVersionKind(o.GroupVersionKind())
		target.SetNamespace(o.GetNamespace())
		target.SetName(o.GetName())
		if err := c.Patch(ctx, target, client.RawPatch("application/merge-patch+json", []byte(patch))); err != nil {
			return fmt.Errorf("request reconciliation of %s/%s: %w", o.GetKind(), o.GetName(), err)
		}
	}
	return nil
}

// waitSynced waits until the GitRepository has fetched commit and the
// Kustomization has applied it, both Ready.
func waitSynced(ctx context.Context, c client.Client, o Options, commit string, out *output.Printer) error {
	key := client.ObjectKey{Namespace: o.Namespace, Name: SyncName}
	short := commit[:min(len(commit), 8)]
	checks := []struct {
		kind  string
		check func(context.Context) (string, error)
	}{
		{sourcev1.GitRepositoryKind, func(ctx context.Context) (string, error) {
			obj := &sourcev1.GitRepository{}
			if err := c.Get(ctx, key, obj); err != nil {
				return "", err
			}
			revision := ""
			if obj.Status.Artifact != nil {
				revision = obj.Status.Artifact.Revision
			}
			return pending(obj.Status.Conditions, obj.Generation, obj.Status.ObservedGeneration, revision, commit), nil
		}},
		{kustomizev1.KustomizationKind, func(ctx context.Context) (string, error) {
			obj := &kustomizev1.Kustomization{}
			if err := c.Get(ctx, key, obj); err != nil {
				return "", err
			}
			return pending(obj.Status.Conditions, obj.Generation, obj.Status.ObservedGeneration, obj.Status.LastAppliedRevision, commit), nil
		}},
	}
	for _, w := range checks {
		name := fmt.Sprintf("%s/%s/%s", w.kind, key.Namespace, key.Name)
		msg := fmt.Sprintf("waiting for %s to be Ready at %s", name, short)
		err := install.Poll(ctx, out, o.Timeout, msg, func(ctx context.Context) (string, error) {
			why, err := w.check(ctx)
			if why != "" {
				why = name + " is not ready: " + why
			}
			return why, err
		})
		if err != nil {
			return err
		}
		out.Success("%s is Ready at %s", name, short)
	}
	return nil
}

// pending says why an object is not yet Ready at commit, or "".
func pending(conds []metav1.Condition, generation, observed int64, revision, commit string) string {
	ready := apimeta.FindStatusCondition(conds, "Ready")
	switch {
	case ready == nil:
		return "no Ready condition yet"
	case observed != generation:
		return "its latest generation is not reconciled yet"
	case ready.Status != metav1.ConditionTrue:
		return ready.Message
	case !strings.HasSuffix(revision, commit):
		return fmt.Sprintf("at revision %q, not yet at %s", revision, commit)
	}
	return ""
}
