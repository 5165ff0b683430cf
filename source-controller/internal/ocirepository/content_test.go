package ocirepository

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/source-controller/internal/artifactevent"
	"github.com/tidegitops/tide/testkit"
)

// An artifact pushed as `flux push artifact` does is stored at Flux's path
// with Flux's revision, its files served, its annotations in the metadata.
func TestReconcileStoresArtifact(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	annotations := map[string]string{
		ociartifact.SourceAnnotation:   "https://github.com/example/fleet",
		ociartifact.RevisionAnnotation: "main@sha1:0123456789abcdef0123456789abcdef01234567",
	}
	digest := push(t, reg, "apps/web:latest", annotations,
		contentLayer(t, map[string]string{"deploy/web.yaml": "kind: ConfigMap\n", "README.md": "hi\n"}))

	obj := newOCIRepository(ns, reg, "apps/web")
	create(t, obj)
	waitReady(t, obj)

	a := obj.Status.Artifact
	g.Expect(a.Revision).To(Equal("latest@" + digest))
	g.Expect(a.Path).To(Equal("ocirepository/" + ns + "/" + obj.Name + "/" + digest + ".tar.gz"))
	g.Expect(a.Metadata).To(Equal(annotations))
	g.Expect(tarFiles(t, download(t, a))).To(Equal(map[string]string{"deploy/web.yaml": "kind: ConfigMap\n", "README.md": "hi\n"}))
	g.Expect(obj.Status.URL).To(Equal(strings.TrimSuffix(a.URL, digest+".tar.gz") + "latest.tar.gz"))
	g.Expect(download(t, &meta.Artifact{URL: obj.Status.URL, Digest: a.Digest})).NotTo(BeEmpty())
	g.Expect(obj.Status.ObservedIgnore).To(BeNil())
	g.Expect(obj.Status.ObservedLayerSelector).To(BeNil())
	g.Expect(conditions.GetMessage(obj, meta.ReadyCondition)).To(Equal("stored artifact for digest 'latest@" + digest + "'"))
	g.Expect(conditions.IsTrue(obj, sourcev1.ArtifactInStorageCondition)).To(BeTrue())
	waitEvent(t, obj, "Normal", artifactevent.NewArtifactReason, digest)
}

// spec.ref: digest wins over semver, semver (within semverFilter) over tag,
// and nothing means the tag latest; revisions are in Flux's formats.
func TestReconcileRefs(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	digests := map[string]string{}
	for _, tag := range []string{"latest", "v1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0", "1.5", "stable"} {
		digests[tag] = push(t, reg, "app:"+tag, nil, contentLayer(t, map[string]string{"tag.txt": tag}))
	}
	tests := []struct {
		name    string
		ref     *sourcev1.OCIRepositoryRef
		wantTag string
		// byDigest sets ref.digest to wantTag's digest: the revision is
		// then the digest alone.
		byDigest bool
	}{
		{"no ref is latest", nil, "latest", false},
		{"tag", &sourcev1.OCIRepositoryRef{Tag: "stable"}, "stable", false},
		{"semver takes the highest in range", &sourcev1.OCIRepositoryRef{SemVer: "1.x"}, "1.1.0", false},
		{"semver with a leading v", &sourcev1.OCIRepositoryRef{SemVer: "<1.1.0"}, "v1.0.0", false},
		{"semver over tag", &sourcev1.OCIRepositoryRef{SemVer: ">=1.0.0", Tag: "stable"}, "2.0.0", false},
		{"semverFilter", &sourcev1.OCIRepositoryRef{SemVer: ">=1.0.0-0", SemverFilter: ".*-rc.*"}, "1.2.0-rc.1", false},
		{"digest over everything", &sourcev1.OCIRepositoryRef{SemVer: "1.x", Tag: "stable"}, "v1.0.0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ref := tt.ref
			want := tt.wantTag + "@" + digests[tt.wantTag]
			if tt.byDigest {
				ref.Digest = digests[tt.wantTag]
				want = digests[tt.wantTag]
			}
			obj := newOCIRepository(ns, reg, "app", func(o *sourcev1.OCIRepository) { o.Spec.Reference = ref })
			create(t, obj)
			waitReady(t, obj)
			g.Expect(obj.Status.Artifact.Revision).To(Equal(want))
			g.Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(HaveKeyWithValue("tag.txt", tt.wantTag))
		})
	}
}

// spec.layerSelector picks the layer by media type and stores it extracted
// or, with operation copy, byte for byte; spec.ignore leaves files out.
func TestReconcileLayerSelectorAndIgnore(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	const chartType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
	chart := contentLayer(t, map[string]string{"chart/Chart.yaml": "name: web\n"})
	chart.mediaType = chartType
	push(t, reg, "multi:latest", nil,
		contentLayer(t, map[string]string{"first.yaml": "a: 1\n", "docs/notes.md": "n\n"}), chart)

	t.Run("no selector takes the first layer", func(t *testing.T) {
		obj := newOCIRepository(ns, reg, "multi")
		create(t, obj)
		waitReady(t, obj)
		NewWithT(t).Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(HaveKey("first.yaml"))
	})
	t.Run("mediaType", func(t *testing.T) {
		g := NewWithT(t)
		sel := &sourcev1.OCILayerSelector{MediaType: chartType}
		obj := newOCIRepository(ns, reg, "multi", func(o *sourcev1.OCIRepository) { o.Spec.LayerSelector = sel })
		create(t, obj)
		waitReady(t, obj)
		g.Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(Equal(map[string]string{"chart/Chart.yaml": "name: web\n"}))
		g.Expect(obj.Status.ObservedLayerSelector).To(Equal(sel))
	})
	t.Run("copy", func(t *testing.T) {
		g := NewWithT(t)
		sel := &sourcev1.OCILayerSelector{MediaType: chartType, Operation: sourcev1.OCILayerCopy}
		obj := newOCIRepository(ns, reg, "multi", func(o *sourcev1.OCIRepository) { o.Spec.LayerSelector = sel })
		create(t, obj)
		waitReady(t, obj)
		sum := sha256.Sum256(chart.data)
		g.Expect(obj.Status.Artifact.Digest).To(Equal("sha256:" + hex.EncodeToString(sum[:])))
		g.Expect(download(t, obj.Status.Artifact)).To(Equal(chart.data))
	})
	t.Run("ignore, and a changed ignore rebuilds", func(t *testing.T) {
		g := NewWithT(t)
		obj := newOCIRepository(ns, reg, "multi", func(o *sourcev1.OCIRepository) { o.Spec.Ignore = ptr("docs/\n") })
		create(t, obj)
		waitReady(t, obj)
		g.Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(Equal(map[string]string{"first.yaml": "a: 1\n"}))
		g.Expect(obj.Status.ObservedIgnore).To(Equal(ptr("docs/\n")))

		updateSpec(t, obj, func(o *sourcev1.OCIRepository) { o.Spec.Ignore = ptr("first.yaml\n") })
		waitReady(t, obj)
		g.Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(Equal(map[string]string{"docs/notes.md": "n\n"}))
		g.Expect(*obj.Status.ObservedIgnore).To(Equal("first.yaml\n"))
	})
}

// Symlinks inside a layer are left out, as Flux's untar skips them.
func TestReconcileDropsSymlinks(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	push(t, reg, "links:latest", nil, layer{ociartifact.ContentMediaType, testkit.TarGz(t,
		testkit.TarEntry{Header: tarHeader("a.yaml", 0), Body: "a: 1\n"},
		testkit.TarEntry{Header: symlinkHeader("b.yaml", "a.yaml")},
	)})
	obj := newOCIRepository(ns, reg, "links")
	create(t, obj)
	waitReady(t, obj)
	NewWithT(t).Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(Equal(map[string]string{"a.yaml": "a: 1\n"}))
}

func ptr[T any](v T) *T { return &v }
