package imagerepository

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/testkit"
)

func TestScan(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "team/app", "1.0.0", "1.1.0", "1.2.0", "1.2.0.sig", "latest")
	obj := newRepository(ns, reg, "team/app")
	env.Create(t, obj)
	waitReady(t, obj)

	res := obj.Status.LastScanResult
	g.Expect(res).NotTo(BeNil())
	g.Expect(res.TagCount).To(Equal(4), "the default exclusion list drops the .sig tag")
	g.Expect(res.LatestTags).To(Equal([]string{"latest", "1.2.0", "1.1.0", "1.0.0"}))
	g.Expect(res.Revision).To(HavePrefix("sha256:"))
	g.Expect(obj.Status.CanonicalImageName).To(Equal(reg.Host + "/team/app"))
	g.Expect(obj.Status.ObservedExclusionList).To(Equal([]string{`^.*\.sig$`}))
	g.Expect(meta.ReadyCondition).NotTo(BeEmpty())
	ready := readyOf(obj)
	g.Expect(ready.Message).To(Equal("successful scan: found 4 tags with checksum " + res.Revision))

	tags, err := env.Tags.Tags(tagstore.Key{Namespace: ns, Name: obj.Name})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tags).To(ConsistOf("latest", "1.2.0", "1.1.0", "1.0.0"))
	env.WaitForEvent(t, obj, corev1.EventTypeNormal, meta.SucceededReason, "successful scan: found 4 tags")
}

func TestExclusionListChangeRescans(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1", "v2", "v2-debug", "v1.sig")
	obj := newRepository(ns, reg, "app")
	env.Create(t, obj)
	waitReady(t, obj)
	g.Expect(obj.Status.LastScanResult.TagCount).To(Equal(3))

	env.Update(t, obj, func() { obj.Spec.ExclusionList = []string{"-debug$"} })
	waitReady(t, obj)
	g.Expect(obj.Status.ObservedExclusionList).To(Equal([]string{"-debug$"}))
	g.Expect(obj.Status.LastScanResult.LatestTags).To(Equal([]string{"v2", "v1.sig", "v1"}),
		"a list of its own replaces the default one, as in Flux")
}

func TestReconcileRequestRescans(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1")
	obj := newRepository(ns, reg, "app")
	env.Create(t, obj)
	waitReady(t, obj)
	firstScan := obj.Status.LastScanResult.ScanTime

	reg.Push(t, "app", "v2")
	token := env.RequestReconcile(t, obj)
	g.Eventually(func() string {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
	g.Expect(obj.Status.LastScanResult.TagCount).To(Equal(2), "the new tag is found at once, not at the next interval")
	g.Expect(obj.Status.LastScanResult.ScanTime.After(firstScan.Time) || obj.Status.LastScanResult.ScanTime.Equal(&firstScan)).To(BeTrue())
}

func TestNoScanBeforeInterval(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1")
	obj := newRepository(ns, reg, "app")
	env.Create(t, obj)
	waitReady(t, obj)
	reg.Reset()

	// A new generation that changes nothing of the scan: no request.
	env.Update(t, obj, func() { obj.Spec.Timeout.Duration = 30 * time.Second })
	waitReady(t, obj)
	g.Expect(len(reg.RequestsMatching("/tags/list"))).To(Equal(0))
}

func TestManyTags(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	tags := tagsOf(3000, "1.0.%d")
	reg.Push(t, "big", tags...)
	obj := newRepository(ns, reg, "big")
	env.Create(t, obj)
	waitReady(t, obj)
	g.Expect(obj.Status.LastScanResult.TagCount).To(Equal(3000))
	g.Expect(obj.Status.LastScanResult.LatestTags).To(HaveLen(10))
	g.Expect(obj.Status.LastScanResult.LatestTags[0]).To(Equal("1.0.999"), "reverse alphabetical, as Flux")
}

func TestDeleteForgetsTags(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1")
	obj := newRepository(ns, reg, "app")
	env.Create(t, obj)
	waitReady(t, obj)
	key := tagstore.Key{Namespace: ns, Name: obj.Name}
	g.Expect(env.Tags.Tags(key)).To(HaveLen(1))

	g.Expect(env.CP.Client.Delete(context.Background(), obj)).To(Succeed())
	testkit.WaitForDeletion(t, env.CP.Client, obj)
	g.Expect(env.Tags.Tags(key)).To(BeNil())
}

func readyOf(obj *imagev1.ImageRepository) struct{ Message, Reason string } {
	for _, c := range obj.Status.Conditions {
		if c.Type == meta.ReadyCondition {
			return struct{ Message, Reason string }{c.Message, c.Reason}
		}
	}
	return struct{ Message, Reason string }{}
}

// TestLostTagsRescanned: a repository whose tags the store lost (a new
// volume) scans again at its next run, not only at its next interval.
func TestLostTagsRescanned(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1", "v2")
	obj := newRepository(ns, reg, "app")
	env.Create(t, obj)
	waitReady(t, obj)
	key := tagstore.Key{Namespace: ns, Name: obj.Name}
	g.Expect(env.Tags.Delete(key)).To(Succeed())
	reg.Reset()

	env.Update(t, obj, func() { obj.Spec.Timeout.Duration = 30 * time.Second })
	g.Eventually(func() []string {
		tags, _ := env.Tags.Tags(key)
		return tags
	}, testkit.Timeout).Should(ConsistOf("v1", "v2"))
	g.Expect(reg.RequestsMatching("/tags/list")).NotTo(BeEmpty())
}
