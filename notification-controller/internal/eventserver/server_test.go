package eventserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/events"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

const kgroup = "kustomize.toolkit.fluxcd.io/"

// kustomization is an emitter's object (it need not exist in the cluster
// unless an Alert matches labels).
func kustomization(ns, name string, annotations map[string]string) *kustomizev1.Kustomization {
	return &kustomizev1.Kustomization{
		TypeMeta:   metav1.TypeMeta{APIVersion: kustomizev1.GroupVersion.String(), Kind: "Kustomization"},
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: "0c7e4a52-aaaa-bbbb-cccc-000000000001", Annotations: annotations},
	}
}

// recorder is the events recorder Flux's (and Tide's) controllers send with.
func recorder(t *testing.T, url string) events.Recorder {
	t.Helper()
	r, err := events.NewRecorder(ctrl.Log.WithName("emitter"), url, "kustomize-controller", events.WithScheme(env.cp.Scheme))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEventForwardedToGenericProviderWithFluxMetadata(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	alertAndProvider(t, ns, sink.URL, func(a *notificationv1beta3.Alert, _ *notificationv1beta3.Provider) {
		a.Spec.EventMetadata = map[string]string{"cluster": "dev", "env": "from-alert"}
	})
	url := startServer(t, nil)

	obj := kustomization(ns, "apps", map[string]string{"event.toolkit.fluxcd.io/team": "blue", "event.toolkit.fluxcd.io/env": "from-annotation"})
	recorder(t, url).AnnotatedEventf(obj, nil, map[string]string{
		kgroup + "revision": "main@sha1:0123456789abcdef0123456789abcdef01234567",
		kgroup + "checksum": "abc", kgroup + "digest": "sha256:abc", kgroup + "token": "gen-1",
		"unprefixed": "dropped",
	}, corev1.EventTypeNormal, "ReconciliationSucceeded", "Reconcile", "Applied revision %s", "main")

	g.Eventually(sink.got, testkit.Timeout).Should(HaveLen(1))
	r := sink.got()[0]
	g.Expect(r.Method).To(Equal(http.MethodPost))
	g.Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
	g.Expect(r.Header.Get("gotk-component")).To(Equal("kustomize-controller"))
	var got eventv1.Event
	g.Expect(json.Unmarshal(r.Body, &got)).To(Succeed())
	g.Expect(got.InvolvedObject.Kind).To(Equal("Kustomization"))
	g.Expect(got.InvolvedObject.Name).To(Equal("apps"))
	g.Expect(got.Severity).To(Equal("info"))
	g.Expect(got.Reason).To(Equal("ReconciliationSucceeded"))
	g.Expect(got.Message).To(Equal("Applied revision main"))
	g.Expect(got.ReportingController).To(Equal("kustomize-controller"))
	// Group prefixes removed; checksum, digest and token dropped; the
	// controller's keys win over the Alert's, the Alert's over annotations.
	g.Expect(got.Metadata).To(Equal(map[string]string{
		"revision": "main@sha1:0123456789abcdef0123456789abcdef01234567",
		"team":     "blue",
		"env":      "from-alert",
		"cluster":  "dev",
	}))
	a := &notificationv1beta3.Alert{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alert"}}
	g.Eventually(warnings(a, "MetadataAppendFailed"), testkit.Timeout).ShouldNot(BeEmpty(),
		"the env key set by an annotation and the Alert is reported")
}

func TestGenericHMACSignsTheBody(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	key := "s3cr3t-hmac-key"
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "hmac"}, StringData: map[string]string{
		"token": key, "headers": "X-Team: blue\n",
	}}
	g.Expect(env.cp.Client.Create(env.ctx, secret)).To(Succeed())
	alertAndProvider(t, ns, sink.URL, func(_ *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.Type = "generic-hmac"
		p.Spec.SecretRef = &meta.LocalObjectReference{Name: "hmac"}
	})
	url := startServer(t, nil)
	recorder(t, url).Eventf(kustomization(ns, "apps", nil), nil, corev1.EventTypeWarning, "HealthCheckFailed", "Reconcile", "timeout waiting for %s", "apps")

	g.Eventually(sink.got, testkit.Timeout).Should(HaveLen(1))
	r := sink.got()[0]
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write(r.Body)
	g.Expect(r.Header.Get("X-Signature")).To(Equal("sha256=" + hex.EncodeToString(mac.Sum(nil))))
	g.Expect(r.Header.Get("X-Team")).To(Equal("blue"))
	g.Expect(string(r.Body)).To(ContainSubstring(`"severity":"error"`))
}

// post sends raw bytes to the event server and returns the status.
func post(t *testing.T, url string, body []byte) int {
	t.Helper()
	resp, err := http.Post(url+"/any/path", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func eventJSON(t testing.TB, ns, message, revision string) []byte {
	e := eventv1.Event{
		InvolvedObject: corev1.ObjectReference{APIVersion: "kustomize.toolkit.fluxcd.io/v1", Kind: "Kustomization", Namespace: ns, Name: "apps"},
		Severity:       "info", Timestamp: metav1.Now(), Message: message, Reason: "ReconciliationSucceeded",
		ReportingController: "kustomize-controller",
	}
	if revision != "" {
		e.Metadata = map[string]string{kgroup + "revision": revision}
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDuplicateEventsAreRateLimited(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	alertAndProvider(t, ns, sink.URL, nil)
	url := startServer(t, nil)

	g.Expect(post(t, url, eventJSON(t, ns, "applied", "rev1"))).To(Equal(http.StatusAccepted))
	g.Expect(post(t, url, eventJSON(t, ns, "applied", "rev1"))).To(Equal(http.StatusTooManyRequests))
	g.Expect(post(t, url, eventJSON(t, ns, "applied", "rev2"))).To(Equal(http.StatusAccepted), "another revision is another event")
	g.Expect(post(t, url, eventJSON(t, ns, "other message", "rev1"))).To(Equal(http.StatusAccepted))
	g.Eventually(sink.messages, testkit.Timeout).Should(ConsistOf("applied", "applied", "other message"))

	// The Flux recorder does not retry a 429: one request, one duplicate.
	r := recorder(t, url)
	obj := kustomization(ns, "apps", nil)
	r.Eventf(obj, nil, corev1.EventTypeNormal, "Progressing", "Reconcile", "building")
	r.Eventf(obj, nil, corev1.EventTypeNormal, "Progressing", "Reconcile", "building")
	g.Eventually(sink.messages, testkit.Timeout).Should(ContainElement("building"))
	g.Consistently(func() int {
		n := 0
		for _, m := range sink.messages() {
			if m == "building" {
				n++
			}
		}
		return n
	}, time.Second).Should(Equal(1))
}

func TestBadEventsAreRefused(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	sink := newEndpoint(t)
	alertAndProvider(t, ns, sink.URL, nil)
	url := startServer(t, nil)

	g.Expect(post(t, url, []byte(`{"involvedObject": `))).To(Equal(http.StatusBadRequest))
	g.Expect(post(t, url, []byte(`["not", "an", "event"]`))).To(Equal(http.StatusBadRequest))
	huge := eventJSON(t, ns, strings.Repeat("x", maxBodyBytes), "")
	g.Expect(post(t, url, huge)).To(Equal(http.StatusRequestEntityTooLarge))
	g.Consistently(sink.got, time.Second).Should(BeEmpty(), "nothing is dispatched")
}
