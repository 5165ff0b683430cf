package ocirepository

import (
	"fmt"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// An unchanged remote digest costs one manifest HEAD and nothing else (no
// manifest GET, no blob, not even the registry's auth ping again); a new
// push to the tag is pulled, stored and served.
func TestReconcilePullsOnlyOnChange(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	push(t, reg, "steady:v1", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))
	obj := newOCIRepository(ns, reg, "steady", func(o *sourcev1.OCIRepository) {
		o.Spec.Reference = &sourcev1.OCIRepositoryRef{Tag: "v1"}
	})
	create(t, obj)
	waitReady(t, obj)
	first := *obj.Status.Artifact

	reg.Reset()
	for range 3 {
		requestReconcile(t, obj)
	}
	g.Expect(described(reg.Requests())).To(Equal([]string{
		"HEAD manifest 200", "HEAD manifest 200", "HEAD manifest 200",
	}), "requests for 3 reconciliations of an unchanged artifact")
	g.Expect(obj.Status.Artifact.Digest).To(Equal(first.Digest))
	g.Expect(obj.Status.Artifact.LastUpdateTime).To(Equal(first.LastUpdateTime))

	second := push(t, reg, "steady:v1", nil, contentLayer(t, map[string]string{"a.yaml": "a: 2\n"}))
	requestReconcile(t, obj)
	g.Expect(obj.Status.Artifact.Revision).To(Equal("v1@" + second))
	g.Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(HaveKeyWithValue("a.yaml", "a: 2\n"))
	latest := &meta.Artifact{URL: obj.Status.URL, Digest: obj.Status.Artifact.Digest}
	g.Expect(tarFiles(t, download(t, latest))).To(HaveKeyWithValue("a.yaml", "a: 2\n"), "status.url serves the new artifact")
	g.Expect(conditions.Has(obj, sourcev1.ArtifactOutdatedCondition)).To(BeFalse())
	// Retention keeps 2 records: the first artifact is still served.
	download(t, &first)
}

// A digest ref cannot move: once stored, the registry is not asked again.
func TestReconcileDigestRefAsksNothing(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	digest := push(t, reg, "pinned:v1", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))
	obj := newOCIRepository(ns, reg, "pinned", func(o *sourcev1.OCIRepository) {
		o.Spec.Reference = &sourcev1.OCIRepositoryRef{Digest: digest}
	})
	create(t, obj)
	waitReady(t, obj)
	reg.Reset()
	requestReconcile(t, obj)
	requestReconcile(t, obj)
	NewWithT(t).Expect(reg.Requests()).To(BeEmpty())
}

// described lists "<method> <kind> <status>" of the requests reg answered.
func described(reqs []ociregistry.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, fmt.Sprintf("%s %s %d", r.Method, r.Kind, r.Status))
	}
	return out
}
