package kustomization

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// The success event carries, under the Kustomization's API group as Flux's
// kustomize-controller sends them, the applied revision, commit_status:
// update (for the Git commit status providers) and a UUID token; the
// change set goes in a Progressing event of its own.
func TestEventsCarryTheRevision(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"app/web.yaml": configMapYAML("web", "v1")})
	a := *repo.Status.Artifact
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.Path = "./app" })
	waitApplied(t, ks, a)
	NewWithT(t).Eventually(func() []map[string]string {
		var list corev1.EventList
		_ = env.cp.Client.List(context.Background(), &list, client.InNamespace(ns))
		var out []map[string]string
		for _, e := range list.Items {
			if e.InvolvedObject.Name == ks.Name && e.Reason == kustomizev1.ReconciliationSucceededReason {
				out = append(out, e.Annotations)
			}
		}
		return out
	}, testkit.Timeout).Should(ContainElement(SatisfyAll(
		HaveKeyWithValue("kustomize.toolkit.fluxcd.io/revision", a.Revision),
		HaveKeyWithValue("kustomize.toolkit.fluxcd.io/commit_status", "update"),
		HaveKeyWithValue("kustomize.toolkit.fluxcd.io/token",
			MatchRegexp(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)),
	)))
	// The change set goes first in an event of its own, reason Progressing,
	// without commit_status: the notification-controller gives it to every
	// provider (Slack, generic, ...), and the success event to the Git ones.
	NewWithT(t).Eventually(func() []corev1.Event {
		var list corev1.EventList
		_ = env.cp.Client.List(context.Background(), &list, client.InNamespace(ns))
		var out []corev1.Event
		for _, e := range list.Items {
			if e.InvolvedObject.Name == ks.Name && e.Reason == meta.ProgressingReason {
				out = append(out, e)
			}
		}
		return out
	}, testkit.Timeout).Should(ContainElement(SatisfyAll(
		HaveField("Message", ContainSubstring("ConfigMap/"+ns+"/web created")),
		HaveField("ObjectMeta.Annotations", SatisfyAll(
			HaveKeyWithValue("kustomize.toolkit.fluxcd.io/revision", a.Revision),
			Not(HaveKey("kustomize.toolkit.fluxcd.io/commit_status")),
		)),
	)))
}

// A failure's event carries the revision but neither commit_status nor a
// token: Flux sends those with success events only.
func TestFailureEventHasNoCommitStatus(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"app/web.yaml": configMapYAML("web", "v1")})
	a := *repo.Status.Artifact
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.Path = "./missing" })
	waitFailed(t, ks, kustomizev1.BuildFailedReason)
	NewWithT(t).Eventually(func() []map[string]string {
		var list corev1.EventList
		_ = env.cp.Client.List(context.Background(), &list, client.InNamespace(ns))
		var out []map[string]string
		for _, e := range list.Items {
			if e.InvolvedObject.Name == ks.Name && e.Type == corev1.EventTypeWarning {
				out = append(out, e.Annotations)
			}
		}
		return out
	}, testkit.Timeout).Should(ContainElement(SatisfyAll(
		HaveKeyWithValue("kustomize.toolkit.fluxcd.io/revision", a.Revision),
		Not(HaveKey("kustomize.toolkit.fluxcd.io/commit_status")),
		Not(HaveKey("kustomize.toolkit.fluxcd.io/token")),
	)))
}
