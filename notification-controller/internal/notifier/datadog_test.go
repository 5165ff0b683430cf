package notifier

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestDataDogEvent(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	e := testEvent("error")
	e.Timestamp = metav1.NewTime(time.Unix(1767323045, 0))
	post(t, "datadog", Options{URL: a.URL, Token: "dd-key"}, e)
	r := a.requests[0]
	g.Expect(r.Method).To(Equal(http.MethodPost))
	g.Expect(r.URL.Path).To(Equal("/api/v1/events"))
	g.Expect(r.Header.Get("DD-API-KEY")).To(Equal("dd-key"))
	g.Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
	g.Expect(a.bodies[0]).To(MatchJSON(`{"title":"Events from the Kustomization web/apps",
		"text":"Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567",
		"tags":["flux_reporting_controller:kustomize-controller","flux_reason:reconciliationsucceeded","kube_kind:kustomization",
		"kube_name:web","kube_namespace:apps","revision:main@sha1:0123456789abcdef0123456789abcdef01234567","summary:prod"],
		"source_type_name":"fluxcd","date_happened":1767323045,"alert_type":"error"}`))

	_, err := New("datadog", Options{URL: a.URL})
	g.Expect(err).To(MatchError(ContainSubstring("token cannot be empty")))
}
