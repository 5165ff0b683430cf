package imagerepository

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"sync/atomic"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/imagerepository/imagetest"
	"github.com/tidegitops/tide/testkit"
)

// fakeHost is a registry name that resolves nowhere and is not a loopback
// address (which go-containerregistry would reach over plain HTTP on its
// own): only the test's proxy knows where it is, and only spec.insecure
// makes the scan use HTTP.
const fakeHost = "registry.tide.test"

// TestProxyAndInsecure: spec.proxySecretRef carries the scan through the
// proxy, and spec.insecure scans over plain HTTP; without insecure the
// scan asks for HTTPS, which this registry does not serve, and fails.
func TestProxyAndInsecure(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1", "v2")
	var carried, refused atomic.Int64
	forward := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.Out.URL.Host, r.Out.Host = reg.Host, reg.Host
	}}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodConnect || r.URL.Host != fakeHost {
			refused.Add(1)
			http.Error(w, "this proxy only knows http://"+fakeHost, http.StatusForbidden)
			return
		}
		carried.Add(1)
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	env.CreateSecret(t, ns, "fake-creds", imagetest.DockerConfig(fakeHost, imagetest.User, imagetest.Password))
	env.CreateSecret(t, ns, "proxy", map[string][]byte{"address": []byte(proxy.URL)})
	viaProxy := func(insecure bool) func(*imagev1.ImageRepository) {
		return func(o *imagev1.ImageRepository) {
			o.Spec.Image = fakeHost + "/app"
			o.Spec.Insecure = insecure
			o.Spec.SecretRef = &meta.LocalObjectReference{Name: "fake-creds"}
			o.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: "proxy"}
		}
	}

	obj := newRepository(ns, reg, "app", viaProxy(true))
	env.Create(t, obj)
	waitReady(t, obj)
	g.Expect(obj.Status.LastScanResult.TagCount).To(Equal(2))
	g.Expect(obj.Status.CanonicalImageName).To(Equal(fakeHost + "/app"))
	g.Expect(carried.Load()).To(BeNumerically(">", 0))
	// (An insecure registry is first asked for HTTPS, as go-containerregistry
	// does, then over HTTP: the proxy refuses the first.)
	refusedBefore, carriedBefore := refused.Load(), carried.Load()

	secure := newRepository(ns, reg, "app", viaProxy(false))
	env.Create(t, secure)
	testkit.WaitForCondition(t, env.CP.Client, secure, meta.ReadyCondition, metav1.ConditionFalse, imagev1.ReadOperationFailedReason)
	env.WaitForEvent(t, secure, corev1.EventTypeWarning, imagev1.ReadOperationFailedReason, fakeHost)
	g.Expect(refused.Load()).To(BeNumerically(">", refusedBefore), "without spec.insecure the scan must ask for HTTPS")
	g.Expect(carried.Load()).To(Equal(carriedBefore), "without spec.insecure nothing may go over plain HTTP")
}
