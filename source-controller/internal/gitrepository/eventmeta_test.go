package gitrepository

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/source-controller/internal/artifactevent"
	"github.com/tidegitops/tide/testkit"
)

// Each new artifact is announced as Flux's source-controller does: an event
// with reason NewArtifact carrying the artifact's revision and digest under
// the GitRepository's API group, while Ready's reason stays Succeeded.
func TestEventsCarryTheRevision(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "events")
	repo.Write("a.yaml", "a\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newGitRepository(ns, srv.HTTPURL("events"))
	create(t, obj)
	waitReady(t, obj)
	waitNewArtifactEvent(t, obj)

	repo.Write("a.yaml", "b\n").Commit("second")
	requestReconcile(t, obj)
	waitNewArtifactEvent(t, obj)
}

// waitNewArtifactEvent waits for a NewArtifact event of obj's current
// artifact, and checks Ready's reason is still Flux's Succeeded.
func waitNewArtifactEvent(t *testing.T, obj client.Object) {
	t.Helper()
	g := NewWithT(t)
	g.Expect(env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	a := obj.(interface{ GetArtifact() *meta.Artifact }).GetArtifact()
	g.Expect(a).NotTo(BeNil())
	g.Expect(conditions.GetReason(obj.(conditions.Getter), meta.ReadyCondition)).To(Equal(meta.SucceededReason))
	g.Eventually(func() []corev1.Event {
		var list corev1.EventList
		_ = env.CP.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace()))
		var out []corev1.Event
		for _, e := range list.Items {
			if e.InvolvedObject.Name == obj.GetName() {
				out = append(out, e)
			}
		}
		return out
	}, testkit.Timeout).Should(ContainElement(SatisfyAll(
		HaveField("Type", corev1.EventTypeNormal),
		HaveField("Reason", artifactevent.NewArtifactReason),
		HaveField("ObjectMeta.Annotations", SatisfyAll(
			HaveKeyWithValue("source.toolkit.fluxcd.io/revision", a.Revision),
			HaveKeyWithValue("source.toolkit.fluxcd.io/digest", a.Digest),
		)),
	)))
}
