package eventserver

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/testkit"
)

// eventsPerMinute is the load the memory benchmark simulates.
const eventsPerMinute = 10_000

// BenchmarkEventServerMemory10kPerMinute posts 10,000 distinct events, each
// matched by one Alert, on a clock that advances one minute over them (the
// server's rate limiter reads that clock, so it keeps what one minute of
// real traffic would make it keep), and reports the heap the server adds:
// its peak while serving and what stays live afterwards. The process also
// holds the manager's cache, so both figures are growth over the live heap
// before the first event.
func BenchmarkEventServerMemory10kPerMinute(b *testing.B) {
	ns := testkit.NewNamespace(b, env.cp.Client)
	var delivered atomic.Int64
	// A plain sink: notifications keep no connection alive, so 10,000
	// of them do not exhaust the file limit (both ends are in this process).
	sink := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		delivered.Add(1)
		w.WriteHeader(http.StatusAccepted)
	})}
	l := listen(b)
	go func() { _ = sink.Serve(l) }()
	defer sink.Close()
	testkit.CreateAndWait(b, env.cp.Client, env.mgr.GetClient(), &notificationv1beta3.Provider{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "endpoint"},
		Spec:       notificationv1beta3.ProviderSpec{Type: "generic", Address: "http://" + l.Addr().String()}})
	testkit.CreateAndWait(b, env.cp.Client, env.mgr.GetClient(), &notificationv1beta3.Alert{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "alert"},
		Spec: notificationv1beta3.AlertSpec{ProviderRef: meta.LocalObjectReference{Name: "endpoint"},
			EventSources: []notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*"}}}})
	for range b.N {
		delivered.Store(0)
		var tick atomic.Int64
		start := time.Now()
		now := func() time.Time { return start.Add(time.Duration(tick.Load()) * time.Minute / eventsPerMinute) }
		url := startServer(b, func(s *Server) { s.dedup = newDedup(s.RateLimit, now) })
		base := liveHeap()
		peak := sampleHeapPeak()
		for i := range eventsPerMinute {
			tick.Store(int64(i))
			resp, err := http.Post(url, "application/json", bytes.NewReader(eventJSON(b, ns, fmt.Sprintf("event %d", i), "")))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Fatalf("event %d: status %d", i, resp.StatusCode)
			}
		}
		deadline := time.Now().Add(time.Minute)
		for delivered.Load() < eventsPerMinute && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := delivered.Load(); n < eventsPerMinute {
			b.Fatalf("%d of %d notifications delivered", n, eventsPerMinute)
		}
		b.ReportMetric(mib(peak()-base), "peak-heap-MiB")
		b.ReportMetric(mib(liveHeap()-base), "live-heap-after-MiB")
	}
}

// liveHeap is the heap in use right after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// sampleHeapPeak reads the heap every 5 ms until the returned function is
// called, which stops sampling and returns the largest reading.
func sampleHeapPeak() func() uint64 {
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak.Load()
	}
}

func mib(bytes uint64) float64 { return float64(int64(bytes)) / (1 << 20) }
