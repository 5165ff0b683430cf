package artifact

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// flakyServer answers status to the first failures requests, then serves
// body.
func flakyServer(t *testing.T, status, failures int, body []byte) (url string, requests *atomic.Int64) {
	requests = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) <= int64(failures) {
			http.Error(w, "not now", status)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/a.tar.gz", requests
}

// --http-retry: a download failing with 503 three times succeeds with three
// retries, fails with two (saying how many attempts were made), and a 404 is
// not retried at all.
func TestDownloadRetries(t *testing.T) {
	body := tarball(t, file("a.yaml", "a"))
	tests := []struct {
		name         string
		status       int
		retries      int
		wantErr      bool
		wantRequests int64
	}{
		{"enough retries", http.StatusServiceUnavailable, 3, false, 4},
		{"too few retries", http.StatusServiceUnavailable, 2, true, 3},
		{"no retry", http.StatusBadGateway, 0, true, 1},
		{"not found is final", http.StatusNotFound, 9, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			url, requests := flakyServer(t, tt.status, 3, body)
			c, cacheDir := newTestCache(t, Options{Retries: tt.retries, RetryWait: time.Millisecond})

			dir, release, err := c.Get(context.Background(), url, sha256Of(body))
			g.Expect(requests.Load()).To(Equal(tt.wantRequests))
			if !tt.wantErr {
				g.Expect(err).NotTo(HaveOccurred())
				defer release()
				g.Expect(dir).To(BeADirectory())
				return
			}
			g.Expect(err).To(MatchError(ErrDownload))
			g.Expect(err.Error()).To(ContainSubstring(http.StatusText(tt.status)))
			if tt.wantRequests > 1 {
				g.Expect(err.Error()).To(ContainSubstring("(3 attempts, see --http-retry)"))
			}
			g.Expect(names(t, cacheDir)).To(BeEmpty(), "nothing is left of the failed attempts")
		})
	}
}
