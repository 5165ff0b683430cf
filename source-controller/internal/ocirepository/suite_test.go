package ocirepository

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
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
	"sigs.k8s.io/controller-runtime/pkg/controller"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/sourcetest"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// env is shared by the tests of this package: one control plane, one
// manager running the real reconciler, real storage and a real artifact
// server, as in a cluster.
var env struct {
	sourcetest.Env
}

// testMaxLayerSize is the reconciler's layer size limit in these tests.
const testMaxLayerSize = 1 << 20

func TestMain(m *testing.M) {
	sourcetest.Main(m, &env.Env, &sourcev1.OCIRepository{}, nil, func(ctx context.Context, mgr manager.Manager, skel *skeleton.Skeleton) error {
		reconciler := &Reconciler{Client: mgr.GetClient(), Skeleton: skel, Storage: env.Store, MaxLayerSize: testMaxLayerSize}
		return reconciler.SetupWithManager(ctx, mgr, controller.Options{MaxConcurrentReconciles: 4})
	})
}

// The test registry's credentials.
const (
	registryUser     = "robot"
	registryPassword = "s3cr3t-pa55"
)

// startRegistry starts a registry that wants basic auth, and creates in ns
// the docker config Secret "creds" that reaches it.
func startRegistry(t testing.TB, ns string, opts ...func(*ociregistry.Options)) *ociregistry.Registry {
	t.Helper()
	o := ociregistry.Options{Username: registryUser, Password: registryPassword}
	for _, f := range opts {
		f(&o)
	}
	reg := ociregistry.New(t, o)
	createSecret(t, ns, "creds", dockerConfigSecret(reg.Host, registryUser, registryPassword))
	return reg
}

func dockerConfigSecret(host, user, password string) map[string][]byte {
	return map[string][]byte{corev1.DockerConfigJsonKey: fmt.Appendf(nil,
		`{"auths":{%q:{"username":%q,"password":%q}}}`, host, user, password)}
}

// layer is one layer of a pushed artifact.
type layer struct {
	mediaType string
	data      []byte
}

// contentLayer is Flux's content layer holding files (path → content).
func contentLayer(t testing.TB, files map[string]string) layer {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var entries []testkit.TarEntry
	for _, n := range names {
		entries = append(entries, testkit.TarEntry{Header: tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg}, Body: files[n]})
	}
	return layer{ociartifact.ContentMediaType, testkit.TarGz(t, entries...)}
}

// push writes an artifact of the given layers and annotations to
// repoAndTag on reg, as `flux push artifact` lays it out, and returns its
// manifest digest.
func push(t testing.TB, reg *ociregistry.Registry, repoAndTag string, annotations map[string]string, layers ...layer) string {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, ociartifact.ConfigMediaType)
	if annotations != nil {
		img = mutate.Annotations(img, annotations).(v1.Image)
	}
	for _, l := range layers {
		var err error
		img, err = mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(l.data, types.MediaType(l.mediaType))})
		if err != nil {
			t.Fatal(err)
		}
	}
	ref, err := name.ParseReference(reg.Host + "/" + repoAndTag)
	if err != nil {
		t.Fatal(err)
	}
	auth := &authn.Basic{Username: registryUser, Password: registryPassword}
	if err := remote.Write(ref, img, remote.WithAuth(auth), remote.WithTransport(pushTransport(reg))); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return digest.String()
}

func pushTransport(reg *ociregistry.Registry) http.RoundTripper {
	if strings.HasPrefix(reg.URL, "https://") {
		return &http.Transport{TLSClientConfig: reg.TLSConfig()}
	}
	return http.DefaultTransport
}

// newOCIRepository builds an OCIRepository of repo on reg in ns, with the
// registry's credentials; mutate adjusts it.
func newOCIRepository(ns string, reg *ociregistry.Registry, repo string, mutate ...func(*sourcev1.OCIRepository)) *sourcev1.OCIRepository {
	obj := &sourcev1.OCIRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "oci-", Namespace: ns},
		Spec: sourcev1.OCIRepositorySpec{
			URL:       reg.Ref(repo),
			SecretRef: &meta.LocalObjectReference{Name: "creds"},
			Interval:  &metav1.Duration{Duration: time.Hour},
			Timeout:   &metav1.Duration{Duration: 10 * time.Second},
		},
	}
	for _, m := range mutate {
		m(obj)
	}
	return obj
}

func create(t testing.TB, obj client.Object) {
	t.Helper()
	if err := env.CP.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %s: %v", obj.GetName(), err)
	}
}

func createSecret(t testing.TB, ns, name string, data map[string][]byte) {
	t.Helper()
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data})
}

func updateSecret(t testing.TB, ns, name string, data map[string][]byte) {
	t.Helper()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data}
	if err := env.CP.Client.Update(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
}

// updateSpec changes obj's spec, retrying on conflicts with the controller.
func updateSpec(t testing.TB, obj *sourcev1.OCIRepository, change func(*sourcev1.OCIRepository)) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		if err := env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change(obj)
		return env.CP.Client.Update(context.Background(), obj)
	}, testkit.Timeout).Should(Succeed())
}

// waitReady waits until obj is Ready at its current generation.
func waitReady(t testing.TB, obj *sourcev1.OCIRepository) {
	t.Helper()
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionTrue, "")
	NewWithT(t).Eventually(func() int64 {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.ObservedGeneration
	}, testkit.Timeout).Should(Equal(obj.Generation))
}

// waitNotReady waits for Ready=False with the given reason.
func waitNotReady(t testing.TB, obj *sourcev1.OCIRepository, reason string) *metav1.Condition {
	t.Helper()
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, reason)
	return conditions.Get(obj, meta.ReadyCondition)
}

// requestReconcile sets reconcile.fluxcd.io/requestedAt, as `flux reconcile`
// does, and waits until the controller reports it handled.
func requestReconcile(t testing.TB, obj *sourcev1.OCIRepository) {
	t.Helper()
	token := requestReconcileNoWait(t, obj)
	NewWithT(t).Eventually(func() string {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.LastHandledReconcileAt
	}, testkit.Timeout).Should(Equal(token))
}

func requestReconcileNoWait(t testing.TB, obj *sourcev1.OCIRepository) string {
	t.Helper()
	token := time.Now().Format(time.RFC3339Nano)
	raw := client.RawPatch("application/merge-patch+json",
		fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, meta.ReconcileRequestAnnotation, token))
	if err := env.CP.Client.Patch(context.Background(), obj, raw); err != nil {
		t.Fatal(err)
	}
	return token
}

// download fetches the artifact from its URL, as the kustomize-controller
// does, and checks the digest in status against the bytes served.
func download(t testing.TB, a *meta.Artifact) []byte {
	t.Helper()
	resp, err := env.HTTP.Get(a.URL)
	if err != nil {
		t.Fatalf("download %s: %v", a.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download %s: %s", a.URL, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != a.Digest {
		t.Fatalf("served artifact has digest %s, status says %s", got, a.Digest)
	}
	return body
}

// tarFiles lists the regular files of a .tar.gz with their content.
func tarFiles(t testing.TB, body []byte) map[string]string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	files := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			files[h.Name] = string(b)
		}
	}
}

// events lists "<type> <reason>: <message>" of the events recorded for obj.
func events(t testing.TB, obj client.Object) []string {
	t.Helper()
	var list corev1.EventList
	if err := env.CP.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list.Items {
		if e.InvolvedObject.Name == obj.GetName() {
			out = append(out, e.Type+" "+e.Reason+": "+e.Message)
		}
	}
	return out
}

// waitEvent waits until obj has an event whose line contains every part.
func waitEvent(t testing.TB, obj client.Object, parts ...string) {
	t.Helper()
	NewWithT(t).Eventually(func() []string { return events(t, obj) }, testkit.Timeout, 100*time.Millisecond).
		Should(ContainElement(SatisfyAll(containsAll(parts)...)), "no event with %q", parts)
}

func containsAll(parts []string) []OmegaMatcher {
	out := make([]OmegaMatcher, 0, len(parts))
	for _, p := range parts {
		out = append(out, ContainSubstring(p))
	}
	return out
}

func tarHeader(name string, mode int64) tar.Header {
	if mode == 0 {
		mode = 0o644
	}
	return tar.Header{Name: name, Mode: mode, Typeflag: tar.TypeReg}
}

func symlinkHeader(name, target string) tar.Header {
	return tar.Header{Name: name, Linkname: target, Mode: 0o777, Typeflag: tar.TypeSymlink}
}
