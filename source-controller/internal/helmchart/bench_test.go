package helmchart

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
	"helm.sh/helm/v4/pkg/getter"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/helmrepo"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// benchCharts is how many HelmCharts read the large index.
const benchCharts = 100

// largeRepository serves helmserver.LargeIndex (5,000 charts × 10
// versions, about 20 MB) and, for any chart of it, a small package made on
// first request.
func largeRepository(b *testing.B) (srv *httptest.Server, base []byte, serve func([]byte)) {
	base = helmserver.LargeIndex(5000, 10)
	var current atomic.Pointer[[]byte]
	current.Store(&base)
	var mu sync.Mutex
	packages := map[string][]byte{}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/index.yaml" {
			_, _ = w.Write(*current.Load())
			return
		}
		file := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/charts/"), ".tgz")
		i := strings.LastIndex(file, "-")
		if i < 0 {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		pkg, ok := packages[file]
		if !ok {
			pkg = helmserver.Package(b, helmserver.Chart{Name: file[:i], Version: file[i+1:]})
			packages[file] = pkg
		}
		mu.Unlock()
		_, _ = w.Write(pkg)
	}))
	b.Cleanup(srv.Close)
	return srv, base, func(index []byte) { current.Store(&index) }
}

// peakHeap samples the heap in use until stop is called, and returns its
// highest value over the baseline at the start.
func peakHeap() (stop func() uint64) {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
				peak.Store(m.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkLargeIndex reconciles 100 HelmCharts (each a different chart)
// from one HelmRepository of a 20 MB index: the index is fetched, parsed
// and stored once (as the HelmRepository reconciler does, handing the
// parsed index to the shared cache) and every chart resolves, downloads
// and stores its chart: the HelmCharts parse nothing. The floor is what the Helm SDK
// alone needs to fetch and parse that index once (its HTTP getter, then
// repo.LoadIndexFile, the one parse; DownloadIndexFile would parse twice). Each iteration serves the
// index under a new digest, so nothing is cached from the one before.
//
//	go test -run '^$' -bench BenchmarkLargeIndex -benchtime 3x ./internal/helmchart/
func BenchmarkLargeIndex(b *testing.B) {
	srv, index, serve := largeRepository(b)

	b.Run("floor-helm-sdk-fetch-and-parse", func(b *testing.B) {
		b.ReportAllocs()
		stop := peakHeap()
		for b.Loop() {
			g, err := getter.NewHTTPGetter()
			if err != nil {
				b.Fatal(err)
			}
			buf, err := g.Get(srv.URL + "/index.yaml")
			if err != nil {
				b.Fatal(err)
			}
			p := filepath.Join(b.TempDir(), "index.yaml")
			if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
				b.Fatal(err)
			}
			idx, err := repo.LoadIndexFile(p)
			if err != nil || len(idx.Entries) != 5000 {
				b.Fatalf("index: %v", err)
			}
		}
		b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
	})

	for _, cache := range []struct {
		name    string
		entries int
	}{{"cache-10", 10}, {"cache-0-flux-default", 0}} {
		b.Run(fmt.Sprintf("tide-%d-helmcharts-%s", benchCharts, cache.name), func(b *testing.B) {
			saved := env.charts.Indexes
			env.charts.Indexes = helmindex.New(cache.entries, time.Hour)
			defer func() { env.charts.Indexes = saved }()
			b.ReportAllocs()
			stop := peakHeap()
			iteration := 0
			var parses int64
			var chartsTime time.Duration
			for b.Loop() {
				iteration++
				ns := testkit.NewNamespace(b, env.CP.Client)
				serve(append(bytes.Clone(index), fmt.Appendf(nil, "# iteration %d\n", iteration)...))
				hr := fetchedRepository(b, ns, srv.URL)
				before, start := env.charts.Indexes.Parses(), time.Now()
				for i := range benchCharts {
					create(b, newChart(ns, sourcev1.HelmRepositoryKind, hr.Name, fmt.Sprintf("chart-%04d", i*37%5000)))
				}
				waitAllReady(b, ns, benchCharts)
				chartsTime += time.Since(start)
				parses += env.charts.Indexes.Parses() - before
			}
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(parses)/float64(iteration), "helmchart-index-parses/op")
			b.ReportMetric(chartsTime.Seconds()/float64(iteration), "helmcharts-s/op")
		})
	}
}

// fetchedRepository creates a HelmRepository of url and does what the
// HelmRepository reconciler does with its index: fetch it, parse it (to
// check it), store it as compact JSON and hand the parsed index to the
// shared cache.
func fetchedRepository(b *testing.B, ns, url string) *sourcev1.HelmRepository {
	data, err := helmrepo.FetchIndex(context.Background(), url, helmrepo.Options{}, 50<<20)
	if err != nil {
		b.Fatal(err)
	}
	idx, err := helmindex.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	stored, err := json.Marshal(idx)
	if err != nil {
		b.Fatal(err)
	}
	hr := &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "large", Namespace: ns},
		Spec:       sourcev1.HelmRepositorySpec{URL: url, Interval: metav1.Duration{Duration: time.Hour}},
	}
	create(b, hr)
	a := storeIndex(b, hr, stored)
	env.charts.Indexes.Put(a.Digest, idx)
	return hr
}

// waitAllReady waits until n HelmCharts of ns are Ready.
func waitAllReady(b *testing.B, ns string, n int) {
	deadline := time.Now().Add(5 * testkit.Timeout)
	for {
		var list sourcev1.HelmChartList
		if err := env.CP.Client.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		ready := 0
		for i := range list.Items {
			if conditions.IsReady(&list.Items[i]) && list.Items[i].Status.Artifact != nil {
				ready++
			}
		}
		if ready == n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d HelmCharts Ready", ready, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
