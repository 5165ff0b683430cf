package kustomization

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// The outcome's event carries the applied revision under the Kustomization's
// API group, as the notification-controller reads it.
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
	}, testkit.Timeout).Should(ContainElement(HaveKeyWithValue("kustomize.toolkit.fluxcd.io/revision", a.Revision)))
}
