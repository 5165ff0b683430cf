package ocirepository

import (
	"context"
	"testing"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// A suspended OCIRepository is left alone: a new push is not pulled until
// it is resumed. Deleting it removes its artifacts from storage.
func TestReconcileSuspendAndDelete(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	push(t, reg, "app:latest", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))
	obj := newOCIRepository(ns, reg, "app")
	create(t, obj)
	waitReady(t, obj)
	first := *obj.Status.Artifact

	updateSpec(t, obj, func(o *sourcev1.OCIRepository) { o.Spec.Suspend = true })
	second := push(t, reg, "app:latest", nil, contentLayer(t, map[string]string{"a.yaml": "a: 2\n"}))
	reg.Reset()
	requestReconcileNoWait(t, obj)
	g.Consistently(func() string {
		_ = env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		return obj.Status.Artifact.Revision
	}, "2s").Should(Equal(first.Revision))
	g.Expect(reg.Requests()).To(BeEmpty())

	updateSpec(t, obj, func(o *sourcev1.OCIRepository) { o.Spec.Suspend = false })
	waitReady(t, obj)
	g.Eventually(func() string {
		_ = env.CP.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		return obj.Status.Artifact.Revision
	}, testkit.Timeout).Should(Equal("latest@" + second))

	current := *obj.Status.Artifact
	g.Expect(env.CP.Client.Delete(ctx, obj)).To(Succeed())
	testkit.WaitForDeletion(t, env.CP.Client, obj)
	g.Expect(env.Store.Exists(current)).To(BeFalse(), "artifact left in storage after deletion")
	g.Expect(env.Store.Exists(first)).To(BeFalse())
}
