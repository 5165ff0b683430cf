package benchmarks

import (
	"fmt"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tidegitops/tide/testkit"
)

// BenchmarkArtifact10kFiles turns the head of a repository of 10,000 small
// files into a stored artifact, Tide's way (artifactjob: a shallow go-git
// fetch, then a deterministic tar.gz in storage) and the scripted way (git
// clone --depth 1, then tar czf). Each way runs as its own processes, so
// both are timed and their peak RSS read alike.
func BenchmarkArtifact10kFiles(b *testing.B) {
	srv := testkit.StartGitServer(b)
	repo := srv.NewRepo(b, "big")
	for i := range 10_000 {
		repo.Write(fmt.Sprintf("apps/app-%03d/file-%04d.yaml", i/100, i), fmt.Sprintf("kind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  key: %0150d\n", i, i))
	}
	repo.Commit("10k files")
	// Both ways fetch over smart HTTP from Git's own server (git
	// http-backend), so the comparison is of the clients only. Packing the
	// repository first spares the server from compressing 10,000 loose
	// objects again for every clone, work that competed with the clients
	// for the two cores and made both timings swing.
	run(b, "git", "-C", srv.RepoDir("big"), "repack", "-adq")
	url := gitHTTPBackend(b, filepath.Dir(srv.RepoDir("big"))) + "/big.git"
	job := buildArtifactJob(b)

	b.Run("tide", func(b *testing.B) {
		for b.Loop() {
			run(b, job, url)
		}
		// The same binary doing nothing is what the Go runtime and the
		// linked code take before any Git work starts. Peak minus idle is
		// what the work itself costs.
		reportRSS(b, peakRSSMiB(b, job, url), peakRSSMiB(b, job))
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
		reportRSS(b, max(clone, tar), peakRSSMiB(b, "git", "--version"))
	})
}

// buildArtifactJob compiles the artifactjob command for this benchmark run.
func buildArtifactJob(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "artifactjob")
	run(b, "go", "build", "-o", bin, "./artifactjob")
	return bin
}

// reportRSS reports peak and idle memory and their difference, or nothing
// where they could not be measured.
func reportRSS(b *testing.B, peak, idle float64) {
	if peak < 0 || idle < 0 {
		b.Log("GNU time (/usr/bin/time) is not installed: no memory figures")
		return
	}
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(idle, "idle-RSS-MiB")
	b.ReportMetric(peak-idle, "work-RSS-MiB")
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
		b.Fatal("the baseline needs git: install it")
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
