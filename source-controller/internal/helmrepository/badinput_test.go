package helmrepository

import (
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// Every failure a user can cause ends in Ready=False with a reason, a
// message saying what to do, and an event; the last good artifact stays
// recorded and served, and no secret value shows in the status.
func TestReconcileBadInput(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	other := testkit.NewPKI(t) // a CA the TLS server's certificate is not from

	tests := []struct {
		name       string
		tls        bool
		breakIt    func(t *testing.T, obj *sourcev1.HelmRepository, srv *helmserver.Server, secret string)
		wantReason string
		wantHint   string
		stalled    bool
	}{
		{"index unreachable", false, func(t *testing.T, obj *sourcev1.HelmRepository, _ *helmserver.Server, _ string) {
			updateSpec(t, obj, func(o *sourcev1.HelmRepository) { o.Spec.URL = testkit.UnreachableURL(t) })
		}, meta.FailedReason, "check the URL and that the server is reachable", false},
		{"401 without credentials", false, func(t *testing.T, obj *sourcev1.HelmRepository, _ *helmserver.Server, _ string) {
			updateSpec(t, obj, func(o *sourcev1.HelmRepository) { o.Spec.SecretRef = nil })
		}, meta.FailedReason, "give credentials in spec.secretRef", false},
		{"403 wrong credentials", false, func(t *testing.T, obj *sourcev1.HelmRepository, _ *helmserver.Server, secret string) {
			updateSecret(t, obj.Namespace, secret, map[string]string{"username": "user", "password": "wr0ng-pass"})
		}, meta.FailedReason, "check the credentials in spec.secretRef", false},
		{"malformed index", false, func(t *testing.T, obj *sourcev1.HelmRepository, srv *helmserver.Server, _ string) {
			srv.SetIndex([]byte("apiVersion: v1\nentries: [\n"))
			requestReconcile(t, obj, false)
		}, sourcev1.IndexationFailedReason, "fix the repository's index", false},
		{"oversized index", false, func(t *testing.T, obj *sourcev1.HelmRepository, srv *helmserver.Server, _ string) {
			srv.SetIndex(helmserver.LargeIndex(200, 2))
			requestReconcile(t, obj, false)
		}, meta.FailedReason, "raise --helm-index-max-size", false},
		{"TLS failure", true, func(t *testing.T, obj *sourcev1.HelmRepository, _ *helmserver.Server, _ string) {
			updateSecret(t, obj.Namespace, obj.Spec.CertSecretRef.Name, map[string]string{"ca.crt": string(other.CA)})
		}, meta.FailedReason, "put its CA in the certSecretRef Secret as 'ca.crt'", false},
		{"secret missing", false, func(t *testing.T, obj *sourcev1.HelmRepository, _ *helmserver.Server, _ string) {
			updateSpec(t, obj, func(o *sourcev1.HelmRepository) { o.Spec.SecretRef = &meta.LocalObjectReference{Name: "nope"} })
		}, sourcev1.AuthenticationFailedReason, "create it", true},
		{"secret missing the password", false, func(t *testing.T, obj *sourcev1.HelmRepository, _ *helmserver.Server, secret string) {
			updateSecret(t, obj.Namespace, secret, map[string]string{"username": "user"})
		}, sourcev1.AuthenticationFailedReason, "add the missing key", true},
		{"oci URL with type default", false, func(t *testing.T, obj *sourcev1.HelmRepository, _ *helmserver.Server, _ string) {
			updateSpec(t, obj, func(o *sourcev1.HelmRepository) { o.Spec.URL = "oci://registry.example.com/charts" })
		}, sourcev1.URLInvalidReason, "use type 'oci'", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			secret := "bad-" + string(rune('a'+i))
			var srv *helmserver.Server
			obj := newHelmRepository(ns, "")
			if tt.tls {
				srv = helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithTLS(false))
				createSecret(t, ns, secret, map[string]string{"ca.crt": string(srv.PKI.CA)})
				obj.Spec.CertSecretRef = &meta.LocalObjectReference{Name: secret}
			} else {
				srv = helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithBasicAuth("user", "s3cret"))
				createSecret(t, ns, secret, map[string]string{"username": "user", "password": "s3cret"})
				obj.Spec.SecretRef = &meta.LocalObjectReference{Name: secret}
			}
			obj.Spec.URL = srv.URL
			create(t, obj)
			waitReady(t, obj)
			good := obj.Status.Artifact.DeepCopy()

			tt.breakIt(t, obj, srv, secret)
			ready := waitNotReady(t, obj, tt.wantReason)
			g.Expect(ready.Message).To(ContainSubstring(tt.wantHint))
			g.Expect(ready.Message).NotTo(Or(ContainSubstring("s3cret"), ContainSubstring("wr0ng-pass")))
			g.Expect(conditions.IsTrue(obj, sourcev1.FetchFailedCondition)).To(BeTrue())
			g.Expect(conditions.IsTrue(obj, meta.StalledCondition)).To(Equal(tt.stalled))
			waitEvent(t, obj, tt.wantReason, tt.wantHint)
			g.Expect(obj.Status.Artifact).To(Equal(good), "the last artifact stays recorded")
			download(t, obj.Status.Artifact)
			if strings.Contains(obj.Status.URL, "index.yaml") {
				g.Expect(get(t, obj.Status.URL)).NotTo(BeEmpty())
			}
		})
	}
}
