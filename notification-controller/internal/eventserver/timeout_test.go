package eventserver

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// A provider endpoint that never answers is given up after the Provider's
// spec.timeout and reported on the Alert; the event server answers at once
// and the next event is still dispatched.
func TestProviderTimeoutIsReported(t *testing.T) {
	g := eventually(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hang := make(chan struct{})
	var mu sync.Mutex
	var answered []string
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if strings.Contains(string(body), `"message":"first"`) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		mu.Lock()
		answered = append(answered, string(body))
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(hung.Close)
	t.Cleanup(func() { close(hang) })
	a := alertAndProvider(t, ns, hung.URL, func(_ *notificationv1beta3.Alert, p *notificationv1beta3.Provider) {
		p.Spec.Timeout = &metav1.Duration{Duration: time.Second}
	})
	url := startServer(t, nil)

	start := time.Now()
	g.Expect(post(t, url, eventJSON(t, ns, "first", ""))).To(Equal(http.StatusAccepted))
	g.Expect(time.Since(start)).To(BeNumerically("<", time.Second), "the answer does not wait for the provider")
	g.Eventually(warnings(a, "NotificationDispatchFailed"), testkit.Timeout).Should(ContainElement(
		ContainSubstring("failed to send notification for Kustomization/" + ns + "/apps")))
	g.Expect(post(t, url, eventJSON(t, ns, "second", ""))).To(Equal(http.StatusAccepted))
	g.Eventually(func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), answered...)
	}, testkit.Timeout).Should(ConsistOf(ContainSubstring(`"message":"second"`)), "a hung provider holds up no later event")
}
