package kustomization

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/kustomize-controller/internal/artifact"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/testkit"
)

// A fetch waiting for an artifact nobody serves any more (as when Tide's
// source-controller replaces Flux's, whose artifact URL the status still
// names, and the download is retried as in an outage) ends as soon as the
// source has another artifact, instead of waiting out the cache's wait for
// the old download; the run is then requeued at once for the new one.
func TestReplacedArtifactEndsTheWait(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	var attempts atomic.Int32
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		attempts.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable) // retried, as an outage is
	}))
	t.Cleanup(gone.Close)

	served := env.artifacts.publish(nextRevision(), tarball(t, map[string]string{"web.yaml": configMapYAML("web", "v1")}))
	unserved := served
	unserved.URL = gone.URL + "/" + served.Path
	unserved.Digest = "sha256:" + strings.Repeat("ab", 32)
	repo := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "repo-", Namespace: ns},
		Spec: sourcev1.GitRepositorySpec{
			URL: "https://git.example.com/fleet.git", Interval: metav1.Duration{Duration: time.Hour},
		},
	}
	create(t, repo)
	setArtifact(t, repo, unserved)

	// A reconciler of its own, with the retries and wait of the binary's
	// defaults (the suite's cache does not retry).
	const maxWait = 30 * time.Second
	cache, err := artifact.NewCache(t.TempDir(), artifact.Options{Retries: 9, RetryWait: time.Second, MaxWait: maxWait})
	g.Expect(err).NotTo(HaveOccurred())
	r := &Reconciler{Client: env.cp.Client, Artifacts: cache}
	s := &scope{obj: newKustomization(t, repo, func(k *kustomizev1.Kustomization) { k.Spec.Suspend = true }),
		artifact: unserved}

	start := time.Now()
	fetched := make(chan error, 1)
	go func() { fetched <- r.fetch(context.Background(), s) }()
	g.Eventually(attempts.Load, testkit.Timeout, 50*time.Millisecond).Should(BeNumerically(">=", 1))
	setArtifact(t, repo, served)

	var err2 error
	g.Eventually(fetched, maxWait*2).Should(Receive(&err2))
	g.Expect(time.Since(start)).To(BeNumerically("<", maxWait),
		"the fetch waited out the download of the artifact the source no longer has")
	var wait *skeleton.WaitError
	g.Expect(errors.As(err2, &wait)).To(BeTrue(), "want a requeue at once, got %v", err2)
	g.Expect(skeleton.ReasonOf(err2)).To(Equal(meta.ProgressingReason))
	g.Expect(err2.Error()).To(ContainSubstring("the source has a new artifact"))
}
