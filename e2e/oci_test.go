package e2e

import (
	"archive/tar"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// The OCI path, with both controllers as processes: an artifact pushed as
// `flux push artifact` lays it out is pulled by the OCIRepository (with
// docker config credentials), applied by a Kustomization of it with the
// artifact's origin revision recorded, and a new push to the tag is applied.
func TestOCIArtifactToCluster(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	reg := ociregistry.New(t, ociregistry.Options{Username: "robot", Password: "pa55"})
	pushFluxArtifact(t, reg, "fleet/apps:latest", "main@sha1:1111111111111111111111111111111111111111",
		map[string]string{"apps/web.yaml": configMapYAML("web", "v1")})
	testkit.StartControllers(t, cp)

	ns := testkit.NewNamespace(t, cp.Client)
	g.Expect(cp.Client.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "registry", Namespace: ns},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: fmt.Appendf(nil,
			`{"auths":{%q:{"username":"robot","password":"pa55"}}}`, reg.Host)},
	})).To(Succeed())
	g.Expect(cp.Client.Create(ctx, &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
		Spec: sourcev1.OCIRepositorySpec{
			URL: reg.Ref("fleet/apps"), Interval: &metav1.Duration{Duration: time.Second},
			SecretRef: &meta.LocalObjectReference{Name: "registry"},
		},
	})).To(Succeed())
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval: metav1.Duration{Duration: time.Hour}, Path: "./apps", Prune: true, TargetNamespace: ns,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.OCIRepositoryKind, Name: "fleet"},
		},
	}
	g.Expect(cp.Client.Create(ctx, ks)).To(Succeed())

	value := func() string {
		cm := &corev1.ConfigMap{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, cm); err != nil {
			return "<absent>"
		}
		return cm.Data["key"]
	}
	ready := func() string {
		_ = cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)
		c := conditions.Get(ks, meta.ReadyCondition)
		if c == nil {
			return ""
		}
		return string(c.Status) + " " + c.Reason + " " + c.Message + " origin=" + ks.Status.LastAppliedOriginRevision
	}
	const wait = time.Minute
	g.Eventually(value, wait).Should(Equal("v1"), ready)
	g.Eventually(ready, wait).Should(And(HavePrefix("True ReconciliationSucceeded Applied revision: latest@sha256:"),
		HaveSuffix("origin=main@sha1:1111111111111111111111111111111111111111")))

	second := pushFluxArtifact(t, reg, "fleet/apps:latest", "main@sha1:2222222222222222222222222222222222222222",
		map[string]string{"apps/web.yaml": configMapYAML("web", "v2")})
	g.Eventually(value, wait).Should(Equal("v2"), ready)
	g.Eventually(ready, wait).Should(And(ContainSubstring("latest@"+second),
		HaveSuffix("origin=main@sha1:2222222222222222222222222222222222222222")))
}

// pushFluxArtifact pushes files as Flux's artifact (config and content
// media types, source and revision annotations) and returns its digest.
func pushFluxArtifact(t *testing.T, reg *ociregistry.Registry, repoAndTag, revision string, files map[string]string) string {
	t.Helper()
	var entries []testkit.TarEntry
	for path, content := range files {
		entries = append(entries, testkit.TarEntry{Header: tar.Header{Name: path, Mode: 0o644, Typeflag: tar.TypeReg}, Body: content})
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, "application/vnd.cncf.flux.config.v1+json")
	img = mutate.Annotations(img, map[string]string{
		"org.opencontainers.image.source":   "https://github.com/example/fleet",
		"org.opencontainers.image.revision": revision,
	}).(v1.Image)
	img, err := mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(testkit.TarGz(t, entries...),
		"application/vnd.cncf.flux.content.v1.tar+gzip")})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(reg.Host + "/" + repoAndTag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: "robot", Password: "pa55"}),
		remote.WithTransport(http.DefaultTransport)); err != nil {
		t.Fatal(err)
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return digest.String()
}
