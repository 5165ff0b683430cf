package imageupdate

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/tidegitops/tide/testkit"
)

// fleet10k writes a fleet of 10,000 manifests, 100 of them with a marker of
// the policy ns:web, and returns the marked files.
func fleet10k(repo *testkit.Repo, ns string) []string {
	var marked []string
	files := map[string]string{}
	for i := range 10000 {
		name := fmt.Sprintf("apps/app-%03d/cm-%05d.yaml", i/100, i)
		content := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%05d\ndata:\n  key: value-%d\n", i, i)
		if i%100 == 0 {
			name = fmt.Sprintf("apps/app-%03d/deploy-%05d.yaml", i/100, i)
			content = fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d-%05d\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"%s:web\"}\n", i, ns)
			marked = append(marked, name)
		}
		files[name] = content
	}
	repo.WriteFiles(files)
	return marked
}

// BenchmarkPolicyChangeToPush10k: the time from a new latest image in an
// ImagePolicy to the pushed commit that rewrites its 100 markers in a fleet
// of 10,000 files, against the floor of doing the same by hand with git in
// the same run: git clone --depth 1, sed on the 100 files, git commit -a,
// git push. The floor reads and writes the bare repository over git's local
// transport (git's own client hangs on the test server's shallow HTTP
// fetch), so it costs no HTTP round trips: a floor below the real one.
func BenchmarkPolicyChangeToPush10k(b *testing.B) {
	ns := testkit.NewNamespace(b, env.cp.Client)
	srv := testkit.StartGitServer(b)
	repo := srv.NewRepo(b, "fleet")
	marked := fleet10k(repo, ns)
	repo.Commit("fleet")
	newGitRepository(b, ns, srv.HTTPURL("fleet"))
	policy := newPolicy(b, ns, "web", "ghcr.io/org/web", "1.0.0", nil)
	auto := newAutomation(ns)
	create(b, auto)
	// head reads only the ref, so polling takes little from the controller.
	head := func() string {
		r, err := gogit.PlainOpen(srv.RepoDir("fleet"))
		if err != nil {
			b.Fatal(err)
		}
		ref, err := r.Reference(plumbing.NewBranchReferenceName("master"), true)
		if err != nil {
			b.Fatal(err)
		}
		return ref.Hash().String()
	}
	waitPushed := func(from string) time.Duration {
		start := time.Now()
		for time.Since(start) < 5*time.Minute {
			if h := head(); h != from {
				return time.Since(start)
			}
			time.Sleep(50 * time.Millisecond) // polling the bare repository
		}
		b.Fatal("no push within 5 minutes")
		return 0
	}

	b.Run("tide", func(b *testing.B) {
		var total time.Duration
		for i := 0; i < b.N; i++ {
			from := head()
			start := time.Now()
			setLatest(b, policy, "ghcr.io/org/web", fmt.Sprintf("1.1.%d", i), "")
			waitPushed(from)
			total += time.Since(start)
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "s/update")
	})

	b.Run("git-floor", func(b *testing.B) {
		if _, err := exec.LookPath("git"); err != nil {
			b.Skip("git not installed")
		}
		var total time.Duration
		for i := 0; i < b.N; i++ {
			dir := b.TempDir()
			start := time.Now()
			git(b, "", "clone", "--depth", "1", "--branch", "master", "file://"+srv.RepoDir("fleet"), dir)
			args := []string{"-i", fmt.Sprintf("s|ghcr.io/org/web:[^ ]*|ghcr.io/org/web:9.9.%d|", i)}
			for _, m := range marked {
				args = append(args, filepath.Join(dir, m))
			}
			if out, err := exec.Command("sed", args...).CombinedOutput(); err != nil {
				b.Fatalf("sed: %v: %s", err, out)
			}
			git(b, dir, "-c", "user.name=bench", "-c", "user.email=bench@tide.invalid", "commit", "-q", "-a", "-m", "by hand")
			git(b, dir, "push", "-q", "origin", "master")
			total += time.Since(start)
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "s/update")
	})
}

func git(b *testing.B, dir string, args ...string) {
	b.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
}
