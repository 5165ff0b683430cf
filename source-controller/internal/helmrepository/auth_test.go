package helmrepository

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/artifactevent"
	"github.com/tidegitops/tide/source-controller/internal/helmrepo"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// Basic auth from secretRef, a CA and a client certificate from
// certSecretRef, or from the deprecated secretRef keys Flux still reads.
func TestReconcileAuthVariants(t *testing.T) {
	ns := testkit.NewNamespace(t, env.CP.Client)
	basic := helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithBasicAuth("user", "s3cret"))
	mtls := helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithTLS(true))
	createSecret(t, ns, "basic", map[string]string{"username": "user", "password": "s3cret"})
	createSecret(t, ns, "certs", map[string]string{"ca.crt": string(mtls.PKI.CA),
		"tls.crt": string(mtls.PKI.ClientCert), "tls.key": string(mtls.PKI.ClientKey)})
	createSecret(t, ns, "legacy", map[string]string{"caFile": string(mtls.PKI.CA),
		"certFile": string(mtls.PKI.ClientCert), "keyFile": string(mtls.PKI.ClientKey)})

	for name, obj := range map[string]*sourcev1.HelmRepository{
		"basic auth": newHelmRepository(ns, basic.URL, func(o *sourcev1.HelmRepository) {
			o.Spec.SecretRef = &meta.LocalObjectReference{Name: "basic"}
		}),
		"mTLS from certSecretRef": newHelmRepository(ns, mtls.URL, func(o *sourcev1.HelmRepository) {
			o.Spec.CertSecretRef = &meta.LocalObjectReference{Name: "certs"}
		}),
		"mTLS from deprecated secretRef keys": newHelmRepository(ns, mtls.URL, func(o *sourcev1.HelmRepository) {
			o.Spec.SecretRef = &meta.LocalObjectReference{Name: "legacy"}
		}),
	} {
		t.Run(name, func(t *testing.T) {
			create(t, obj)
			waitReady(t, obj)
			download(t, obj.Status.Artifact)
		})
	}
}

// ClientOptions reads a HelmRepository's Secrets for HelmCharts: the
// credentials reach a chart on another host only with passCredentials.
func TestClientOptionsPassCredentials(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.CP.Client)
	charts := helmserver.Start(t, helmserver.WithCharts(app))
	repo := helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithChartBaseURL(charts.URL),
		helmserver.WithBasicAuth("user", "s3cret"))
	createSecret(t, ns, "basic", map[string]string{"username": "user", "password": "s3cret"})
	for _, pass := range []bool{false, true} {
		obj := newHelmRepository(ns, repo.URL, func(o *sourcev1.HelmRepository) {
			o.Spec.SecretRef = &meta.LocalObjectReference{Name: "basic"}
			o.Spec.PassCredentials = pass
		})
		create(t, obj)
		waitReady(t, obj)
		opts, err := helmrepo.ClientOptions(ctx, env.CP.Client, obj)
		g.Expect(err).NotTo(HaveOccurred())
		before := charts.AuthorizedRequests()
		_, err = helmrepo.DownloadChart(ctx, charts.ChartURL(app), opts, 1<<20)
		g.Expect(err).NotTo(HaveOccurred())
		sent := charts.AuthorizedRequests() - before
		g.Expect(sent == 1).To(Equal(pass), "passCredentials=%v: credentials sent to the other host %d times", pass, sent)
	}
}

// Credentials written into spec.url work, as in Helm, and never show in
// the status or events.
func TestCredentialsInURLNotShown(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	srv := helmserver.Start(t, helmserver.WithCharts(app), helmserver.WithBasicAuth("user", "s3cret"))
	obj := newHelmRepository(ns, strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1))
	create(t, obj)
	waitReady(t, obj)
	waitEvent(t, obj, artifactevent.NewArtifactReason, "stored fetched index")
	srv.SetStatus(http.StatusInternalServerError)
	requestReconcile(t, obj, false)
	waitNotReady(t, obj, meta.FailedReason)
	waitEvent(t, obj, meta.FailedReason, "500 Internal Server Error")
	var events corev1.EventList
	g.Expect(env.CP.Client.List(context.Background(), &events, client.InNamespace(ns))).To(Succeed())
	for _, e := range events.Items {
		g.Expect(e.Message).NotTo(ContainSubstring("s3cret"))
	}
	for _, c := range obj.Status.Conditions {
		g.Expect(c.Message).NotTo(ContainSubstring("s3cret"))
	}
}
