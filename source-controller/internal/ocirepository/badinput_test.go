package ocirepository

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// Every failure a user can cause ends in Ready=False with a reason, a message
// saying what to do, and an event; the last good artifact stays served and
// no secret value shows anywhere.
func TestReconcileBadInput(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	push(t, reg, "app:good", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))
	badLayer := func(entries ...testkit.TarEntry) layer {
		return layer{ociartifact.ContentMediaType, testkit.TarGz(t, entries...)}
	}
	big := make([]byte, testMaxLayerSize+1)
	_, _ = rand.Read(big)
	push(t, reg, "app:too-big", nil, layer{ociartifact.ContentMediaType, big})
	push(t, reg, "app:bomb", nil, badLayer(testkit.TarEntry{Header: tarHeader("zeros", 0),
		Body: string(bytes.Repeat([]byte{0}, 2*testMaxLayerSize))}))
	push(t, reg, "app:dotdot", nil, badLayer(testkit.TarEntry{Header: tarHeader("../../evil.yaml", 0), Body: "x"}))
	push(t, reg, "app:absolute", nil, badLayer(testkit.TarEntry{Header: tarHeader("/etc/evil.yaml", 0), Body: "x"}))
	push(t, reg, "app:symlink", nil, badLayer(testkit.TarEntry{Header: symlinkHeader("escape", "../../../etc")}))
	push(t, reg, "app:not-gzip", nil, layer{ociartifact.ContentMediaType, []byte("plain text, not a tarball")})
	setRef := func(ref sourcev1.OCIRepositoryRef) func(*testing.T, *sourcev1.OCIRepository) {
		return func(t *testing.T, obj *sourcev1.OCIRepository) {
			updateSpec(t, obj, func(o *sourcev1.OCIRepository) { o.Spec.Reference = &ref })
		}
	}
	setSecret := func(data map[string][]byte) func(*testing.T, *sourcev1.OCIRepository) {
		return func(t *testing.T, obj *sourcev1.OCIRepository) {
			updateSecret(t, obj.Namespace, obj.Spec.SecretRef.Name, data)
		}
	}

	tests := []struct {
		name       string
		breakIt    func(t *testing.T, obj *sourcev1.OCIRepository)
		wantReason string
		wantHint   string // a part of the message telling the user what to do
		stalled    bool
	}{
		{"unknown tag", setRef(sourcev1.OCIRepositoryRef{Tag: "nope"}),
			sourcev1.OCIPullFailedReason, "push it, or fix spec.url and spec.ref", false},
		{"unknown digest", setRef(sourcev1.OCIRepositoryRef{Digest: "sha256:" + strings.Repeat("ab", 32)}),
			sourcev1.OCIPullFailedReason, "push it, or fix spec.url and spec.ref", false},
		{"invalid digest", setRef(sourcev1.OCIRepositoryRef{Digest: "sha256:123"}),
			sourcev1.OCIPullFailedReason, "use sha256:<64 hex digits>", true},
		{"semver range with no match", setRef(sourcev1.OCIRepositoryRef{SemVer: ">=9.0.0"}),
			sourcev1.ReadOperationFailedReason, "push one, or fix spec.ref.semver", false},
		{"no layer of the selected media type", func(t *testing.T, obj *sourcev1.OCIRepository) {
			updateSpec(t, obj, func(o *sourcev1.OCIRepository) {
				o.Spec.LayerSelector = &sourcev1.OCILayerSelector{MediaType: "application/vnd.example.none"}
			})
		}, sourcev1.OCILayerOperationFailedReason, "change the layer selector's mediaType", false},
		{"layer over the size limit", setRef(sourcev1.OCIRepositoryRef{Tag: "too-big"}),
			sourcev1.OCILayerOperationFailedReason, "push a smaller artifact", false},
		{"layer unpacking over the size limit", setRef(sourcev1.OCIRepositoryRef{Tag: "bomb"}),
			sourcev1.OCILayerOperationFailedReason, "push a smaller artifact", false},
		{"entry with ../", setRef(sourcev1.OCIRepositoryRef{Tag: "dotdot"}),
			sourcev1.OCILayerOperationFailedReason, "../../evil.yaml", false},
		{"entry with an absolute path", setRef(sourcev1.OCIRepositoryRef{Tag: "absolute"}),
			sourcev1.OCILayerOperationFailedReason, "/etc/evil.yaml", false},
		{"escaping symlink", setRef(sourcev1.OCIRepositoryRef{Tag: "symlink"}),
			sourcev1.OCILayerOperationFailedReason, "escape", false},
		{"layer not gzip", setRef(sourcev1.OCIRepositoryRef{Tag: "not-gzip"}),
			sourcev1.OCILayerOperationFailedReason, "push a .tar.gz layer", false},
		{"wrong password", setSecret(dockerConfigSecret(reg.Host, registryUser, "wr0ng")),
			sourcev1.OCIPullFailedReason, "spec.secretRef", false},
		{"docker config not JSON", setSecret(map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths": ` + registryPassword)}),
			sourcev1.AuthenticationFailedReason, "fix the Secret's .dockerconfigjson", true},
		{"secret without .dockerconfigjson", setSecret(map[string][]byte{"password": []byte(registryPassword)}),
			sourcev1.AuthenticationFailedReason, "kubectl create secret docker-registry", true},
		{"secret missing", func(t *testing.T, obj *sourcev1.OCIRepository) {
			updateSpec(t, obj, func(o *sourcev1.OCIRepository) { o.Spec.SecretRef = &meta.LocalObjectReference{Name: "nope"} })
		}, sourcev1.AuthenticationFailedReason, "create it, or fix the name", true},
		{"url with a tag", func(t *testing.T, obj *sourcev1.OCIRepository) {
			updateSpec(t, obj, func(o *sourcev1.OCIRepository) { o.Spec.URL = reg.Ref("app:good") })
		}, sourcev1.URLInvalidReason, "remove ':good'", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			secret := "creds-" + string(rune('a'+i))
			createSecret(t, ns, secret, dockerConfigSecret(reg.Host, registryUser, registryPassword))
			obj := newOCIRepository(ns, reg, "app", func(o *sourcev1.OCIRepository) {
				o.Spec.SecretRef = &meta.LocalObjectReference{Name: secret}
				o.Spec.Reference = &sourcev1.OCIRepositoryRef{Tag: "good"}
			})
			create(t, obj)
			waitReady(t, obj)
			good := *obj.Status.Artifact

			tt.breakIt(t, obj)
			ready := waitNotReady(t, obj, tt.wantReason)
			g.Expect(ready.Message).To(ContainSubstring(tt.wantHint))
			g.Expect(conditions.IsStalled(obj)).To(Equal(tt.stalled), "Stalled: %s", ready.Message)
			waitEvent(t, obj, corev1.EventTypeWarning, tt.wantReason)
			g.Expect(obj.Status.Artifact).NotTo(BeNil(), "the last artifact was dropped")
			g.Expect(obj.Status.Artifact.Digest).To(Equal(good.Digest))
			g.Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(HaveKeyWithValue("a.yaml", "a: 1\n"))
			for _, line := range append(events(t, obj), ready.Message) {
				g.Expect(line).NotTo(ContainSubstring(registryPassword))
			}
		})
	}
}

// A registry whose certificate is not trusted fails with a message naming
// spec.certSecretRef; its CA there fixes it, and spec.insecure skips the check.
func TestReconcileTLS(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns, func(o *ociregistry.Options) { o.TLS = true })
	push(t, reg, "app:v1", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))

	obj := newOCIRepository(ns, reg, "app")
	obj.Spec.Reference = &sourcev1.OCIRepositoryRef{Tag: "v1"}
	create(t, obj)
	ready := waitNotReady(t, obj, sourcev1.OCIPullFailedReason)
	NewWithT(t).Expect(ready.Message).To(ContainSubstring("spec.certSecretRef"))
	waitEvent(t, obj, corev1.EventTypeWarning, sourcev1.OCIPullFailedReason)

	createSecret(t, ns, "registry-ca", map[string][]byte{"ca.crt": reg.CAPEM()})
	updateSpec(t, obj, func(o *sourcev1.OCIRepository) {
		o.Spec.CertSecretRef = &meta.LocalObjectReference{Name: "registry-ca"}
	})
	waitReady(t, obj)

	insecure := newOCIRepository(ns, reg, "app", func(o *sourcev1.OCIRepository) {
		o.Spec.Reference = &sourcev1.OCIRepositoryRef{Tag: "v1"}
		o.Spec.Insecure = true
	})
	create(t, insecure)
	waitReady(t, insecure)
	NewWithT(t).Expect(insecure.Status.Artifact.Digest).To(Equal(obj.Status.Artifact.Digest))
}

// What Tide does not support is refused, never ignored.
func TestReconcileRefusesUnsupported(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	tests := []struct {
		name       string
		mutate     func(*sourcev1.OCIRepository)
		wantReason string
		wantHint   string
	}{
		{"provider aws", func(o *sourcev1.OCIRepository) { o.Spec.Provider = sourcev1.AmazonOCIProvider },
			sourcev1.InvalidProviderConfigurationReason, "provider 'aws' is not supported"},
		{"provider gcp", func(o *sourcev1.OCIRepository) { o.Spec.Provider = sourcev1.GoogleOCIProvider },
			sourcev1.InvalidProviderConfigurationReason, "provider 'gcp' is not supported"},
		{"provider azure", func(o *sourcev1.OCIRepository) { o.Spec.Provider = sourcev1.AzureOCIProvider },
			sourcev1.InvalidProviderConfigurationReason, "provider 'azure' is not supported"},
		{"verify", func(o *sourcev1.OCIRepository) {
			o.Spec.Verify = &sourcev1.OCIRepositoryVerification{Provider: "cosign"}
		}, sourcev1.VerificationError, "remove spec.verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := newOCIRepository(ns, reg, "app", tt.mutate)
			create(t, obj)
			ready := waitNotReady(t, obj, tt.wantReason)
			NewWithT(t).Expect(ready.Message).To(ContainSubstring(tt.wantHint))
			NewWithT(t).Expect(conditions.IsStalled(obj)).To(BeTrue())
			waitEvent(t, obj, corev1.EventTypeWarning, tt.wantReason)
		})
	}
}

// certSecretRef's client certificate reaches a registry that wants one
// (mutual TLS); without it the handshake fails with a message naming
// spec.certSecretRef.
func TestReconcileMutualTLS(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := startRegistry(t, ns)
	push(t, reg, "app:v1", nil, contentLayer(t, map[string]string{"a.yaml": "a: 1\n"}))
	pki := testkit.NewPKI(t)
	front := strings.TrimPrefix(testkit.HTTPSFront(t, reg.URL, pki, true), "https://")
	createSecret(t, ns, "front-creds", dockerConfigSecret(front, registryUser, registryPassword))
	createSecret(t, ns, "ca-only", map[string][]byte{"ca.crt": pki.CA})
	createSecret(t, ns, "mtls", map[string][]byte{"ca.crt": pki.CA, "tls.crt": pki.ClientCert, "tls.key": pki.ClientKey})

	obj := newOCIRepository(ns, reg, "app", func(o *sourcev1.OCIRepository) {
		o.Spec.URL = "oci://" + front + "/app"
		o.Spec.Reference = &sourcev1.OCIRepositoryRef{Tag: "v1"}
		o.Spec.SecretRef = &meta.LocalObjectReference{Name: "front-creds"}
		o.Spec.CertSecretRef = &meta.LocalObjectReference{Name: "ca-only"}
	})
	create(t, obj)
	ready := waitNotReady(t, obj, sourcev1.OCIPullFailedReason)
	g.Expect(ready.Message).To(ContainSubstring("spec.certSecretRef"))

	updateSpec(t, obj, func(o *sourcev1.OCIRepository) { o.Spec.CertSecretRef.Name = "mtls" })
	waitReady(t, obj)
	g.Expect(tarFiles(t, download(t, obj.Status.Artifact))).To(HaveKeyWithValue("a.yaml", "a: 1\n"))
}
