package registry_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry/registrytest"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
)

// BenchmarkScan10kTags is one scan of a repository of 10,000 tags, as the
// ImageRepository reconciler runs it: every page listed (1,000 tags a
// page, as Docker Hub and ECR page), the tags written to the tag store.
// It reports the time of a scan, the heap allocated by it, and the peak
// of the heap in use above the process's before it (sampled every
// millisecond).
func BenchmarkScan10kTags(b *testing.B) {
	const n = 10_000
	reg := registrytest.New(b, func(r *registrytest.Registry) { r.PageSize = 1000 })
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("1.%d.%d", i/100, i%100)
	}
	reg.Push(b, "big", tags...)
	repo := reg.Repo(b, "big")
	client, err := registry.New(registry.Options{})
	if err != nil {
		b.Fatal(err)
	}
	store, err := tagstore.Open(b.TempDir(), tagstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	key := tagstore.Key{Namespace: "bench", Name: "big"}
	ctx := context.Background()

	runtime.GC()
	base := heapInUse()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if h := heapInUse(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		got, err := client.ListTags(ctx, repo)
		if err != nil || len(got) != n {
			b.Fatalf("%d tags, %v", len(got), err)
		}
		if _, err := store.Set(key, got); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	close(stop)
	if p := peak.Load(); p > base {
		b.ReportMetric(float64(p-base)/(1<<20), "peakHeapMiB")
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
