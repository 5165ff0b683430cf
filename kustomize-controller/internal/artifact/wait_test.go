package artifact

import (
	"context"
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// While the source-controller is down, a Get does not wait through the
// retries of --http-retry: it returns once the caller's deadline or MaxWait
// has passed, with the last failure, while the download goes on; a Get of
// an artifact already unpacked is not held up meanwhile.
func TestGetDoesNotWaitThroughRetries(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	cached := tarball(t, file("a.yaml", "a"))
	cachedURL := srv.serve("/cached.tar.gz", cached)
	failing, requests := flakyServer(t, http.StatusServiceUnavailable, 1<<30, nil)
	c, _ := newTestCache(t, Options{Retries: 9, RetryWait: 10 * time.Second, MaxWait: 300 * time.Millisecond})
	_, release, err := c.Get(context.Background(), cachedURL, sha256Of(cached))
	g.Expect(err).NotTo(HaveOccurred())
	release()
	missing := sha256Of([]byte("never served"))

	// The caller's deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err = c.Get(ctx, failing, missing)
	g.Expect(err).To(MatchError(context.DeadlineExceeded))
	g.Expect(time.Since(start)).To(BeNumerically("<", 2*time.Second))

	// MaxWait, for a caller without a deadline: the error says why.
	start = time.Now()
	_, _, err = c.Get(context.Background(), failing, missing)
	g.Expect(err).To(MatchError(ErrDownload))
	g.Expect(err.Error()).To(ContainSubstring("503"))
	g.Expect(err.Error()).To(ContainSubstring("it is retried"))
	g.Expect(time.Since(start)).To(BeNumerically("<", 2*time.Second))
	g.Expect(requests.Load()).To(BeEquivalentTo(1), "both Gets joined the one download, waiting to retry")

	start = time.Now()
	dir, release, err := c.Get(context.Background(), cachedURL, sha256Of(cached))
	g.Expect(err).NotTo(HaveOccurred())
	defer release()
	g.Expect(dir).To(BeADirectory())
	g.Expect(time.Since(start)).To(BeNumerically("<", time.Second), "a cached artifact is not held up")
}

// A shared download, retries included, ends at its deadline, so that an
// outage does not keep it going for ten attempts of two minutes each.
func TestSharedDownloadHasADeadline(t *testing.T) {
	g := NewWithT(t)
	g.Expect(downloadDeadline(newRetryPolicy(9, 0), 0)).To(Equal(215*time.Second+defaultTimeout),
		"every retry of Flux's defaults, plus one full attempt")
	g.Expect(downloadDeadline(newRetryPolicy(0, 0), time.Minute)).To(Equal(time.Minute))

	failing, requests := flakyServer(t, http.StatusServiceUnavailable, 1<<30, nil)
	c, cacheDir := newTestCache(t, Options{Retries: 9, RetryWait: 10 * time.Second, MaxWait: time.Minute})
	c.deadline = 300 * time.Millisecond
	start := time.Now()
	_, _, err := c.Get(context.Background(), failing, sha256Of([]byte("never served")))
	g.Expect(err).To(MatchError(ErrDownload))
	g.Expect(err.Error()).To(ContainSubstring("503"))
	g.Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second), "the download ended at its deadline")
	g.Expect(requests.Load()).To(BeEquivalentTo(1))
	g.Expect(names(t, cacheDir)).To(BeEmpty())
}

// Two sources may serve equal content (one digest) from different URLs. A
// Get of the digest from a working URL must not wait on a download of it
// from a dead one (a source-controller gone while its retries go on).
func TestGetDoesNotJoinADownloadFromAnotherURL(t *testing.T) {
	g := NewWithT(t)
	content := tarball(t, file("a.yaml", "a"))
	srv := newArtifactServer(t)
	working := srv.serve("/working.tar.gz", content)
	dead, _ := flakyServer(t, http.StatusServiceUnavailable, 1<<30, nil)
	c, _ := newTestCache(t, Options{Retries: 9, RetryWait: 10 * time.Second, MaxWait: 2 * time.Second})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := c.Get(ctx, dead, sha256Of(content)) // its download goes on, waiting to retry
	g.Expect(err).To(MatchError(context.DeadlineExceeded))

	start := time.Now()
	dir, release, err := c.Get(context.Background(), working, sha256Of(content))
	g.Expect(err).NotTo(HaveOccurred())
	defer release()
	g.Expect(dir).To(BeADirectory())
	g.Expect(time.Since(start)).To(BeNumerically("<", time.Second), "not held up by the dead URL's download")
}
