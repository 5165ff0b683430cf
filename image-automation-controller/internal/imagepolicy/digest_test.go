package imagepolicy

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/testkit"
)

// TestDigestReflection: Never leaves the digest out; IfNotPresent reads
// it once per picked tag (a tag pushed again keeps the digest read);
// Always reads it again at spec.interval and follows the new push.
func TestDigestReflection(t *testing.T) {
	g := NewWithT(t)
	ns, reg, _ := setup(t, "1.0.0")
	digest1, err := headDigest(t, reg.Host, "1.0.0")
	g.Expect(err).NotTo(HaveOccurred())

	never := newPolicy(ns, semver("*"))
	ifNotPresent := newPolicy(ns, semver("*"), func(p *imagev1.ImagePolicy) {
		p.Spec.DigestReflectionPolicy = imagev1.ReflectIfNotPresent
	})
	always := newPolicy(ns, semver("*"), func(p *imagev1.ImagePolicy) {
		p.Spec.DigestReflectionPolicy = imagev1.ReflectAlways
		p.Spec.Interval = &metav1.Duration{Duration: time.Second}
	})
	for _, p := range []*imagev1.ImagePolicy{never, ifNotPresent, always} {
		env.Create(t, p)
		waitLatest(t, p, "1.0.0")
	}
	g.Expect(never.Status.LatestRef.Digest).To(BeEmpty())
	g.Expect(ifNotPresent.Status.LatestRef.Digest).To(Equal(digest1))
	g.Expect(always.Status.LatestRef.Digest).To(Equal(digest1))
	g.Expect(readyOf(always).Message).To(HaveSuffix("resolved to 1.0.0 with digest " + digest1))

	// The same tag pushed again with another image.
	digest2 := reg.Push(t, "app", "1.0.0")
	g.Expect(digest2).NotTo(Equal(digest1))
	g.Eventually(func() string {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(always), always)
		return always.Status.LatestRef.Digest
	}, testkit.Timeout).Should(Equal(digest2), "Always reads the digest again at its interval")
	g.Expect(always.Status.ObservedPreviousRef).To(Equal(&imagev1.ImageRef{Name: reg.Host + "/app", Tag: "1.0.0", Digest: digest1}))
	g.Expect(readyOf(always).Message).To(Equal("Latest image tag for '" + reg.Host + "/app' resolved to 1.0.0 with digest " + digest2))
	env.WaitForEvent(t, always, corev1.EventTypeNormal, meta.SucceededReason, "with digest "+digest2)

	env.RequestReconcile(t, ifNotPresent)
	testkit.WaitForCondition(t, env.CP.Client, ifNotPresent, meta.ReadyCondition, metav1.ConditionTrue, meta.SucceededReason)
	g.Expect(ifNotPresent.Status.LatestRef.Digest).To(Equal(digest1), "IfNotPresent keeps the digest it read for the tag")
}

// TestDigestReadFailureKeepsLatestRef: when the registry refuses the
// digest read, the policy says so and keeps the last latestRef.
func TestDigestReadFailureKeepsLatestRef(t *testing.T) {
	g := NewWithT(t)
	ns, reg, _ := setup(t, "1.0.0")
	p := newPolicy(ns, semver("*"), func(p *imagev1.ImagePolicy) {
		p.Spec.DigestReflectionPolicy = imagev1.ReflectAlways
		p.Spec.Interval = &metav1.Duration{Duration: time.Second}
	})
	env.Create(t, p)
	waitLatest(t, p, "1.0.0")
	good := *p.Status.LatestRef

	reg.RetryAfter = "3600"
	reg.Throttled.Store(1 << 30)
	testkit.WaitForCondition(t, env.CP.Client, p, meta.ReadyCondition, metav1.ConditionFalse, imagev1.ReadOperationFailedReason)
	g.Expect(readyOf(p).Message).To(ContainSubstring("failed fetching digest of " + reg.Host + "/app:1.0.0"))
	g.Expect(readyOf(p).Message).To(ContainSubstring("HTTP 429"))
	g.Expect(*p.Status.LatestRef).To(Equal(good))
	reg.Throttled.Store(0)
}
