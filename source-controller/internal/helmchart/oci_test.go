package helmchart

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

const (
	registryUser = "pusher"
	registryPass = "p4ss"
)

// pushChart pushes data as `helm push` does: an OCI manifest with Helm's
// config and chart layer media types, tagged with the version ('+' as '_').
func pushChart(t *testing.T, reg *ociregistry.Registry, repo, tag string, data []byte, layerType types.MediaType) {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, "application/vnd.cncf.helm.config.v1+json")
	img, err := mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(data, layerType)})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(reg.Host + "/" + repo + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: registryUser, Password: registryPass})); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
}

// ociHelmRepository creates a HelmRepository of type oci for oci://<host>/charts
// with a Secret of the given data.
func ociHelmRepository(t *testing.T, ns string, reg *ociregistry.Registry, secretData map[string][]byte) *sourcev1.HelmRepository {
	t.Helper()
	repo := &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "oci-", Namespace: ns},
		Spec: sourcev1.HelmRepositorySpec{URL: reg.Ref("charts"), Type: sourcev1.HelmRepositoryTypeOCI,
			Interval: metav1.Duration{Duration: time.Hour}},
	}
	if secretData != nil {
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{GenerateName: "creds-", Namespace: ns}, Data: secretData}
		create(t, secret)
		repo.Spec.SecretRef = &meta.LocalObjectReference{Name: secret.Name}
	}
	create(t, repo)
	return repo
}

func dockerConfig(host, user, pass string) map[string][]byte {
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	return map[string][]byte{corev1.DockerConfigJsonKey: fmt.Appendf(nil, `{"auths":{%q:{"auth":%q}}}`, host, auth)}
}

// A chart from a HelmRepository of type oci: the newest tag in the range
// (prereleases left out), pulled with username/password or docker config
// credentials, stored as it is pushed.
func TestOCIChart(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := ociregistry.New(t, ociregistry.Options{Username: registryUser, Password: registryPass})
	charts := map[string][]byte{}
	for _, v := range []string{"1.0.0", "1.2.0", "2.0.0-rc.1"} {
		charts[v] = helmserver.Package(t, helmserver.Chart{Name: "app", Version: v})
		pushChart(t, reg, "charts/app", v, charts[v], helmChartLayerMediaType)
	}
	basic := ociHelmRepository(t, ns, reg, map[string][]byte{"username": []byte(registryUser), "password": []byte(registryPass)})
	docker := ociHelmRepository(t, ns, reg, dockerConfig(reg.Host, registryUser, registryPass))

	byRange := newChart(ns, sourcev1.HelmRepositoryKind, basic.Name, "app", func(c *sourcev1.HelmChart) { c.Spec.Version = ">=1.0.0" })
	exact := newChart(ns, sourcev1.HelmRepositoryKind, docker.Name, "app", func(c *sourcev1.HelmChart) { c.Spec.Version = "1.0.0" })
	create(t, byRange)
	create(t, exact)
	waitVersion(t, byRange, "1.2.0")
	g.Expect(byRange.Status.Artifact.Digest).To(Equal(sha256Digest(charts["1.2.0"])))
	g.Expect(byRange.Status.Artifact.Path).To(HaveSuffix("/app-1.2.0.tgz"))
	g.Expect(conditions.GetReason(byRange, meta.ReadyCondition)).To(Equal(sourcev1.ChartPullSucceededReason))
	g.Expect(byRange.Status.ObservedSourceArtifactRevision).To(BeEmpty(), "an OCI HelmRepository has no artifact")
	waitVersion(t, exact, "1.0.0")
	g.Expect(exact.Status.Artifact.Digest).To(Equal(sha256Digest(charts["1.0.0"])))
	download(t, exact.Status.Artifact)
}

// Bad input from an OCI HelmRepository.
func TestOCIBadInput(t *testing.T) {
	reg := ociregistry.New(t, ociregistry.Options{Username: registryUser, Password: registryPass})
	pushChart(t, reg, "charts/app", "1.0.0", helmserver.Package(t, helmserver.Chart{Name: "app", Version: "1.0.0"}), helmChartLayerMediaType)
	pushChart(t, reg, "charts/image", "1.0.0", []byte("not a chart"), types.DockerLayer)
	pushChart(t, reg, "charts/huge", "1.0.0", make([]byte, testLimits.ChartSize+1), helmChartLayerMediaType)
	good := map[string][]byte{"username": []byte(registryUser), "password": []byte(registryPass)}

	tests := []struct {
		name    string
		chart   string
		secret  map[string][]byte
		reason  string
		stalled bool
		message []string
	}{
		{name: "unknown chart", chart: "nope", secret: good, reason: sourcev1.InvalidChartReferenceReason, stalled: true,
			message: []string{"no artifact '" + reg.Host + "/charts/nope:1.0.0'", "fix spec.chart or spec.version"}},
		{name: "not a Helm chart", chart: "image", secret: good, reason: sourcev1.ChartPullErrorReason,
			message: []string{"not a Helm chart", helmChartLayerMediaType}},
		{name: "layer over the size cap", chart: "huge", secret: good, reason: sourcev1.ChartPullErrorReason,
			message: []string{"--helm-chart-max-size"}},
		{name: "wrong password", chart: "app", reason: sourcev1.AuthenticationFailedReason,
			secret:  map[string][]byte{"username": []byte(registryUser), "password": []byte("nope")},
			message: []string{"UNAUTHORIZED", "check the credentials of the HelmRepository's spec.secretRef"}},
		{name: "docker config without the registry", chart: "app", reason: sourcev1.AuthenticationFailedReason,
			secret:  dockerConfig("other.example.com", registryUser, registryPass),
			message: []string{"no credentials for registry", "add them to the Secret"}},
		{name: "docker config not JSON", chart: "app", reason: sourcev1.AuthenticationFailedReason,
			secret:  map[string][]byte{corev1.DockerConfigJsonKey: []byte("{")},
			message: []string{"not a docker config JSON", "fix the Secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, env.CP.Client)
			okRepo := ociHelmRepository(t, ns, reg, good)
			obj := newChart(ns, sourcev1.HelmRepositoryKind, okRepo.Name, "app", func(c *sourcev1.HelmChart) { c.Spec.Version = "1.0.0" })
			create(t, obj)
			waitReady(t, obj)
			before := obj.Status.Artifact.DeepCopy()

			repo := ociHelmRepository(t, ns, reg, tt.secret)
			update(t, obj, func() { obj.Spec.SourceRef.Name = repo.Name; obj.Spec.Chart = tt.chart })
			ready := waitNotReady(t, obj, tt.reason)
			for _, m := range tt.message {
				g.Expect(ready.Message).To(ContainSubstring(m))
			}
			g.Expect(ready.Message).NotTo(ContainSubstring(registryPass))
			g.Expect(conditions.IsTrue(obj, meta.StalledCondition)).To(Equal(tt.stalled), "Stalled")
			g.Expect(obj.Status.Artifact.Digest).To(Equal(before.Digest))
			download(t, obj.Status.Artifact)
			waitEventReason(t, obj, tt.reason)
		})
	}
}

// certSecretRef's CA lets the controller trust a registry's certificate;
// without it the TLS failure is reported with what to do.
func TestOCITLS(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := ociregistry.New(t, ociregistry.Options{TLS: true})
	data := helmserver.Package(t, helmserver.Chart{Name: "app", Version: "1.0.0"})
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img, err := mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(data, helmChartLayerMediaType)})
	g.Expect(err).NotTo(HaveOccurred())
	ref, err := name.ParseReference(reg.Host + "/charts/app:1.0.0")
	g.Expect(err).NotTo(HaveOccurred())
	tr := remote.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = reg.TLSConfig()
	g.Expect(remote.Write(ref, img, remote.WithTransport(tr))).To(Succeed())

	untrusted := ociHelmRepository(t, ns, reg, nil)
	obj := newChart(ns, sourcev1.HelmRepositoryKind, untrusted.Name, "app", func(c *sourcev1.HelmChart) { c.Spec.Version = "1.0.0" })
	create(t, obj)
	ready := waitNotReady(t, obj, sourcev1.ChartPullErrorReason)
	g.Expect(ready.Message).To(ContainSubstring("certificate"))
	g.Expect(ready.Message).To(ContainSubstring("check that the repository is reachable"))

	ca := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{GenerateName: "ca-", Namespace: ns},
		Data: map[string][]byte{"ca.crt": reg.CAPEM()}}
	create(t, ca)
	update(t, untrusted, func() { untrusted.Spec.CertSecretRef = &meta.LocalObjectReference{Name: ca.Name} })
	waitVersion(t, obj, "1.0.0")
	g.Expect(obj.Status.Artifact.Digest).To(Equal(sha256Digest(data)))
}

// A suspended HelmChart is left alone: a new chart version is not built
// until it is resumed.
func TestSuspend(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	repo := gitSource(t, ns, chartRepo("1.0.0"))
	obj := newChart(ns, sourcev1.GitRepositoryKind, repo.Name, "charts/app")
	create(t, obj)
	waitVersion(t, obj, "1.0.0")
	update(t, obj, func() { obj.Spec.Suspend = true })
	NewWithT(t).Eventually(func() int64 {
		_ = env.CP.Client.Get(t.Context(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.ObservedGeneration
	}, testkit.Timeout).Should(Equal(obj.Generation - 1)) // suspended runs observe nothing
	push(t, repo, chartRepo("1.1.0"))
	NewWithT(t).Consistently(func() string {
		_ = env.CP.Client.Get(t.Context(), client.ObjectKeyFromObject(obj), obj)
		return obj.Status.Artifact.Revision
	}, 2*time.Second).Should(Equal("1.0.0"))
	update(t, obj, func() { obj.Spec.Suspend = false })
	waitVersion(t, obj, "1.1.0")
}

// A cloud provider's workload identity on an OCI HelmRepository is refused,
// not ignored (the chart would be pulled anonymously).
func TestOCIProviderRefused(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := ociregistry.New(t, ociregistry.Options{})
	repo := &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "oci-", Namespace: ns},
		Spec: sourcev1.HelmRepositorySpec{URL: reg.Ref("charts"), Type: sourcev1.HelmRepositoryTypeOCI,
			Provider: sourcev1.HelmProviderAWS, Interval: metav1.Duration{Duration: time.Hour}},
	}
	create(t, repo)
	obj := newChart(ns, sourcev1.HelmRepositoryKind, repo.Name, "app")
	create(t, obj)
	ready := waitNotReady(t, obj, sourcev1.InvalidProviderConfigurationReason)
	g.Expect(ready.Message).To(ContainSubstring("provider 'aws'"))
	g.Expect(conditions.IsTrue(obj, meta.StalledCondition)).To(BeTrue())
	g.Expect(reg.Requests()).To(BeEmpty())
	waitEventReason(t, obj, sourcev1.InvalidProviderConfigurationReason)
}
