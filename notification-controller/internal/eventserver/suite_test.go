package eventserver

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/events"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/notification-controller/internal/notifier"
	"github.com/tidegitops/tide/notification-controller/internal/provider"
	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// env is one control plane and one manager (its cache serves the servers'
// reads, as in the controller) shared by the package's tests.
var env struct {
	cp     *testkit.ControlPlane
	mgr    ctrl.Manager
	events events.Recorder
	ctx    context.Context
}

func TestMain(m *testing.M) {
	code, err := runSuite(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runSuite(m *testing.M) (int, error) {
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(true)))
	notifier.RetryWaitMin = 10 * time.Millisecond
	cp, err := testkit.StartControlPlane()
	if err != nil {
		return 0, err
	}
	defer cp.Stop()
	for _, add := range []func(*runtime.Scheme) error{notificationv1.AddToScheme, notificationv1beta3.AddToScheme} {
		if err := add(cp.Scheme); err != nil {
			return 0, err
		}
	}
	env.cp = cp
	opts := tidemanager.Options{Name: "notification-controller", MetricsAddr: "0", HealthAddr: "0"}
	opts.Watch.AllNamespaces = true
	mgr, err := tidemanager.New(cp.Config, opts, cp.Scheme)
	if err != nil {
		return 0, err
	}
	env.mgr = mgr
	if env.events, err = events.NewRecorder(ctrl.Log.WithName("events"), "", "notification-controller", events.WithManager(mgr)); err != nil {
		return 0, err
	}
	if err := (&provider.Checker{Client: mgr.GetClient(), Events: env.events}).SetupWithManager(mgr); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env.ctx = ctx
	go func() {
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}()
	return m.Run(), nil
}

// startServer runs an event server configured by configure and returns its URL.
func startServer(t testing.TB, configure func(*Server)) string {
	t.Helper()
	s := &Server{Client: env.mgr.GetClient(), Events: env.events, RateLimit: 5 * time.Minute, Log: ctrl.Log.WithName("event-server")}
	if configure != nil {
		configure(s)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(env.ctx)
	t.Cleanup(cancel)
	go func() { _ = s.Serve(ctx, l) }()
	return "http://" + l.Addr().String()
}

// endpoint stands in for a provider's API: it records every request and
// answers with status (202 by default).
type endpoint struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	status   int
}

type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

func newEndpoint(t *testing.T) *endpoint {
	e := &endpoint{status: http.StatusAccepted}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.requests = append(e.requests, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		status := e.status
		e.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) got() []recorded {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]recorded(nil), e.requests...)
}

// messages lists the messages of the events the endpoint received.
func (e *endpoint) messages() []string {
	var out []string
	for _, r := range e.got() {
		var ev struct{ Message string }
		_ = json.Unmarshal(r.Body, &ev)
		out = append(out, ev.Message)
	}
	return out
}

func (e *endpoint) setStatus(status int) {
	e.mu.Lock()
	e.status = status
	e.mu.Unlock()
}

// alertAndProvider creates a generic Provider posting to address and an
// Alert for it, changed by edit, in namespace ns; it waits for the cache.
func alertAndProvider(t *testing.T, ns, address string, edit func(*notificationv1beta3.Alert, *notificationv1beta3.Provider)) *notificationv1beta3.Alert {
	t.Helper()
	p := &notificationv1beta3.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "endpoint"},
		Spec:       notificationv1beta3.ProviderSpec{Type: "generic", Address: address},
	}
	a := &notificationv1beta3.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alert"},
		Spec: notificationv1beta3.AlertSpec{
			ProviderRef:  meta.LocalObjectReference{Name: "endpoint"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*"}},
		},
	}
	if edit != nil {
		edit(a, p)
	}
	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), p)
	testkit.CreateAndWait(t, env.cp.Client, env.mgr.GetClient(), a)
	return a
}

// warnings lists the messages of the Warning events on obj with reason.
func warnings(obj client.Object, reason string) func() []string {
	return func() []string {
		var list corev1.EventList
		_ = env.cp.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace()))
		var out []string
		for _, e := range list.Items {
			if e.InvolvedObject.Name == obj.GetName() && e.InvolvedObject.Kind == kindOf(obj) &&
				e.Type == corev1.EventTypeWarning && e.Reason == reason {
				out = append(out, e.Message)
			}
		}
		return out
	}
}

func eventually(t *testing.T) Gomega {
	return NewWithT(t)
}

func kindOf(obj client.Object) string {
	if _, ok := obj.(*notificationv1beta3.Provider); ok {
		return "Provider"
	}
	return "Alert"
}

func alertSource(kind string) notificationv1.CrossNamespaceObjectReference {
	return notificationv1.CrossNamespaceObjectReference{Kind: kind, Name: "*"}
}

func clientKey(obj client.Object) client.ObjectKey { return client.ObjectKeyFromObject(obj) }
