package kustomization

import (
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/tidegitops/tide/testkit"
)

// A suspended Kustomization applies nothing new until it is resumed.
func TestSuspendAndResume(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"web.yaml": configMapYAML("web", "v1")})
	ks := newKustomization(t, repo)
	waitApplied(t, ks, *repo.Status.Artifact)

	g.Expect(env.cp.Client.Get(ctx, keyOf(ks), ks)).To(Succeed())
	ks.Spec.Suspend = true
	g.Expect(env.cp.Client.Update(ctx, ks)).To(Succeed())
	second := commit(t, repo, map[string]string{"web.yaml": configMapYAML("web", "v2")})
	g.Consistently(func() string { return configMap(t, ns, "web").Data["key"] }, 2*time.Second).Should(Equal("v1"))

	g.Expect(env.cp.Client.Get(ctx, keyOf(ks), ks)).To(Succeed())
	ks.Spec.Suspend = false
	g.Expect(env.cp.Client.Update(ctx, ks)).To(Succeed())
	waitApplied(t, ks, second)
	g.Expect(configMap(t, ns, "web").Data).To(HaveKeyWithValue("key", "v2"))
}
