package gitrepository

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/testkit"
)

// The outcome's event carries the artifact's revision under the
// GitRepository's API group, as the notification-controller reads it.
func TestEventsCarryTheRevision(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "events").Write("a.yaml", "a\n").Commit("first")
	ns := testkit.NewNamespace(t, env.cp.Client)
	obj := newGitRepository(ns, srv.HTTPURL("events"))
	create(t, obj)
	waitReady(t, obj)
	NewWithT(t).Eventually(func() []map[string]string {
		var list corev1.EventList
		_ = env.cp.Client.List(context.Background(), &list, client.InNamespace(ns))
		var out []map[string]string
		for _, e := range list.Items {
			if e.InvolvedObject.Name == obj.Name {
				out = append(out, e.Annotations)
			}
		}
		return out
	}, testkit.Timeout).Should(ContainElement(HaveKeyWithValue("source.toolkit.fluxcd.io/revision", obj.Status.Artifact.Revision)))
}
