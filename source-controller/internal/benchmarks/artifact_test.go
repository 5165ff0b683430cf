package benchmarks

import (
	"context"
	"fmt"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidegitops/tide/source-controller/internal/gitclient"
	"github.com/tidegitops/tide/source-controller/internal/ignore"
	"github.com/tidegitops/tide/source-controller/internal/storage"
	"github.com/tidegitops/tide/testkit"
)

// BenchmarkArtifact10kFiles turns the head of a repository of 10,000 small
// files into a served artifact, Tide's way (shallow go-git checkout, then a
// deterministic tar.gz in storage) and the scripted way (git clone --depth 1,
// then tar czf), and reports each one's peak RSS.
func BenchmarkArtifact10kFiles(b *testing.B) {
	srv := testkit.StartGitServer(b)
	repo := srv.NewRepo(b, "big")
	for i := range 10_000 {
		repo.Write(fmt.Sprintf("apps/app-%03d/file-%04d.yaml", i/100, i), fmt.Sprintf("kind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  key: %0150d\n", i, i))
	}
	repo.Commit("10k files")
	// Both ways fetch over smart HTTP from Git's own server (git
	// http-backend), so the comparison is of the clients only.
	url := gitHTTPBackend(b, filepath.Dir(srv.RepoDir("big"))) + "/big.git"
	b.Run("tide", func(b *testing.B) {
		for b.Loop() {
			if err := tideArtifact(url, b.TempDir()); err != nil {
				b.Fatal(err)
			}
		}
		// Peak memory of the same work alone in a fresh process (this test
		// binary re-run as a child), measured like the baseline's.
		b.ReportMetric(peakRSSMiB(b, os.Args[0], "-test.run=^TestMain$", "-test.bench=^$", "-artifact-child="+url), "peak-RSS-MiB")
		// The same process doing nothing: the floor that the Go runtime and
		// this binary's code take before any Git work starts. Peak minus
		// idle is what the artifact path itself costs.
		b.ReportMetric(peakRSSMiB(b, os.Args[0], "-test.run=^TestMain$", "-test.bench=^$"), "idle-RSS-MiB")
	})

	b.Run("git-clone+tar", func(b *testing.B) {
		for b.Loop() {
			dir := b.TempDir()
			run(b, "git", "clone", "--quiet", "--depth", "1", url, filepath.Join(dir, "src"))
			run(b, "tar", "czf", filepath.Join(dir, "out.tar.gz"), "--exclude=.git", "-C", filepath.Join(dir, "src"), ".")
		}
		dir := b.TempDir()
		clone := peakRSSMiB(b, "git", "clone", "--quiet", "--depth", "1", url, filepath.Join(dir, "src"))
		tar := peakRSSMiB(b, "tar", "czf", filepath.Join(dir, "out.tar.gz"), "--exclude=.git", "-C", filepath.Join(dir, "src"), ".")
		b.ReportMetric(max(clone, tar), "peak-RSS-MiB")
	})
}

// tideArtifact is the source-controller's path from a Git URL to a stored
// artifact: a shallow fetch without a worktree, then a deterministic tar.gz
// read straight from the Git tree, with the default ignore rules.
func tideArtifact(url, tmp string) error {
	auth, err := gitclient.AuthFromSecret(url, nil)
	if err != nil {
		return err
	}
	store, err := storage.New(filepath.Join(tmp, "storage"), "localhost:9090", time.Hour, 2)
	if err != nil {
		return err
	}
	dir := filepath.Join(tmp, "checkout")
	commit, err := gitclient.Checkout(context.Background(), url, auth, gitclient.Ref{Branch: "master"}, dir, gitclient.CheckoutOptions{NoWorktree: true})
	if err != nil {
		return err
	}
	defer commit.Files.Close()
	matcher, err := ignore.NewFS(commit.Files, nil)
	if err != nil {
		return err
	}
	artifact, err := store.NewArtifact("GitRepository", "default", "big", commit.Revision, commit.Hash+".tar.gz")
	if err != nil {
		return err
	}
	return store.ArchiveFS(&artifact, commit.Files, matcher.Excluded)
}

// peakRSSMiB runs a command under GNU time and returns its peak resident
// set size; -1 where GNU time is not installed.
func peakRSSMiB(b *testing.B, name string, args ...string) float64 {
	b.Helper()
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return -1
	}
	out, err := exec.Command("/usr/bin/time", append([]string{"-f", "maxrss=%M", name}, args...)...).CombinedOutput()
	if err != nil {
		b.Fatalf("%s: %v\n%s", name, err, out)
	}
	var kib float64
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "maxrss="); ok {
			kib, _ = strconv.ParseFloat(v, 64)
		}
	}
	return kib / 1024
}

func gitHTTPBackend(b *testing.B, root string) string {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		b.Skip("git is not installed")
	}
	handler := &cgi.Handler{
		Path: gitPath,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	server := httptest.NewServer(handler)
	b.Cleanup(server.Close)
	return server.URL
}

func run(b *testing.B, name string, args ...string) {
	b.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}
