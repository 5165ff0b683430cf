package artifact

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// benchArtifact serves an artifact of 1,000 small files, the size of a
// fleet repository, and returns its URL and digest.
func benchArtifact(b *testing.B) (srv *artifactServer, url, digest string) {
	entries := make([]tarEntry, 1000)
	for i := range entries {
		entries[i] = file(fmt.Sprintf("apps/app-%03d/deploy.yaml", i), "apiVersion: apps/v1\nkind: Deployment\n")
	}
	body := tarball(b, entries...)
	srv = newArtifactServer(b)
	return srv, srv.serve("/gitrepository/fleet.tar.gz", body), sha256Of(body)
}

// BenchmarkGetShared is 1,000 Kustomizations of one source asking for its
// artifact at once, on an empty cache. One op is all 1,000 Gets; the
// downloads/op metric shows they share one download and one unpack.
func BenchmarkGetShared(b *testing.B) {
	srv, url, digest := benchArtifact(b)
	base := b.TempDir()
	n := 0
	for b.Loop() {
		n++
		b.StopTimer()
		dir := filepath.Join(base, fmt.Sprint(n))
		c, err := NewCache(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		var wg sync.WaitGroup
		for range 1000 {
			wg.Go(func() {
				_, release, err := c.Get(b.Context(), url, digest)
				if err != nil {
					b.Error(err)
					return
				}
				release()
			})
		}
		wg.Wait()

		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(srv.requests.Load())/float64(n), "downloads/op")
}

// BenchmarkGetCached is one Get and release of a digest already unpacked:
// the cost every Kustomization but the first pays.
func BenchmarkGetCached(b *testing.B) {
	_, url, digest := benchArtifact(b)
	c, _ := newTestCache(b, Options{})
	_, release, err := c.Get(b.Context(), url, digest)
	if err != nil {
		b.Fatal(err)
	}
	release()
	for b.Loop() {
		_, release, err := c.Get(b.Context(), url, digest)
		if err != nil {
			b.Fatal(err)
		}
		release()
	}
}
