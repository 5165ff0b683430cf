package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// Fleet size of BenchmarkImagePolicyChangeToPush.
const (
	fleetFiles   = 10000
	fleetMarkers = 100
)

// writeMarkedFleet writes fleetFiles manifests under apps/, fleetMarkers of
// them Deployments of image:1.0.0 with the marker of ns:app, and returns
// the marked files.
func writeMarkedFleet(repo *testkit.Repo, image, ns string) []string {
	files, marked := map[string]string{}, []string(nil)
	for i := range fleetFiles {
		dir := fmt.Sprintf("apps/team-%03d/", i/fleetMarkers)
		if i%(fleetFiles/fleetMarkers) == 0 {
			path := dir + fmt.Sprintf("deploy-%05d.yaml", i)
			files[path] = deploymentYAML(fmt.Sprintf("d-%05d", i), image+":1.0.0", ns, "app")
			marked = append(marked, path)
			continue
		}
		files[dir+fmt.Sprintf("cm-%05d.yaml", i)] = configMapYAML(fmt.Sprintf("cm-%05d", i), fmt.Sprint(i))
	}
	repo.WriteFiles(files)
	return marked
}

// BenchmarkImagePolicyChangeToPush: the image-automation-controller as a
// process, a fleet repository of 10,000 files with 100 markers of one
// ImagePolicy. Each iteration changes the policy's semver range so that it
// picks the other of two tags (1.0.x, 1.1.x) and measures the time until
// the automation's commit is on the Git server: the policy's reconcile,
// the automation's clone, rewrite, commit and push. The floor, in the same
// run and against the same server, is a person doing the same change with
// the git binary: git clone (of a few commits: the test Git server cannot
// serve --depth 1 to the git binary), sed on the 100 files, git commit -a,
// git push. With TIDE_BENCH_PROFILE_DIR set, a CPU profile of the
// controller over the Tide iterations is saved there.
func BenchmarkImagePolicyChangeToPush(b *testing.B) {
	ctx := context.Background()
	if err := imagev1.AddToScheme(cp.Scheme); err != nil {
		b.Fatal(err)
	}
	reg := ociregistry.New(b, ociregistry.Options{Username: registryUser, Password: registryPassword})
	image := reg.Host + "/team/app"
	pushImageTags(b, reg, "team/app", "1.0.0", "1.1.0")
	srv := testkit.StartGitServer(b, testkit.WithBasicAuth(gitUser, gitPassword))
	ns := testkit.NewNamespace(b, cp.Client)
	tide, floor := srv.NewRepo(b, "fleet"), srv.NewRepo(b, "floor")
	writeMarkedFleet(tide, image, ns)
	tide.Commit("fleet")
	marked := writeMarkedFleet(floor, image, ns)
	floor.Commit("fleet")

	pprofAddr := localAddr(b)
	b.Setenv("TIDE_E2E_PPROF_IMAGE_AUTOMATION_CONTROLLER", pprofAddr)
	controller := testkit.StartController(b, cp, "image-automation-controller", "--storage-path="+b.TempDir())
	objs := imageAutomationObjects(ns, srv.HTTPURL("fleet"), image, reg.Host, time.Hour)
	policy := objs[4].(*imagev1.ImagePolicy)
	policy.Spec.Policy.SemVer.Range = "1.0.x"
	for _, obj := range objs {
		if err := cp.Client.Create(ctx, obj); err != nil {
			b.Fatal(err)
		}
	}
	auto := objs[5].(*imagev1.ImageUpdateAutomation)
	settled := func(want string) func() bool { // the automation's run ended with the server at want
		return func() bool {
			return cp.Client.Get(ctx, client.ObjectKeyFromObject(auto), auto) == nil &&
				auto.Status.LastAutomationRunTime != nil && remoteCommit(b, srv, "fleet", "master").Hash.String() == want &&
				auto.Status.ObservedPolicies["app"].Tag == strings.Replace(policy.Spec.Policy.SemVer.Range, "x", "0", 1)
		}
	}
	waitFor(b, 3*time.Minute, 50*time.Millisecond, settled(tide.Head()))

	b.Run("tide", func(b *testing.B) {
		profiled := profileImageController(b, pprofAddr)
		var total time.Duration
		for range b.N {
			from := remoteCommit(b, srv, "fleet", "master").Hash.String()
			start := time.Now()
			patch := client.MergeFrom(policy.DeepCopy())
			policy.Spec.Policy.SemVer.Range = map[string]string{"1.0.x": "1.1.x", "1.1.x": "1.0.x"}[policy.Spec.Policy.SemVer.Range]
			if err := cp.Client.Patch(ctx, policy, patch); err != nil {
				b.Fatal(err)
			}
			var to string
			waitFor(b, 3*time.Minute, 10*time.Millisecond, func() bool {
				to = remoteCommit(b, srv, "fleet", "master").Hash.String()
				return to != from
			})
			total += time.Since(start)
			b.StopTimer() // the run's status written before the next change
			waitFor(b, time.Minute, 50*time.Millisecond, settled(to))
			b.StartTimer()
		}
		b.StopTimer()
		b.ReportMetric(total.Seconds()/float64(b.N), "s/update")
		<-profiled
	})

	from, to := ":1.1.0 #", ":1.0.0 #" // the floor's sed, swapped before each change
	b.Run("git-floor", func(b *testing.B) {
		if _, err := exec.LookPath("git"); err != nil {
			b.Skip("no git binary on this machine: no floor")
		}
		url := strings.Replace(srv.HTTPURL("floor"), "://", "://"+gitUser+":"+gitPassword+"@", 1)
		var total time.Duration
		for range b.N {
			dir := b.TempDir()
			start := time.Now()
			// Not --depth 1: the test Git server's stateless upload-pack
			// never answers a shallow clone of the git binary. The history is
			// a few commits, so a full clone fetches about what depth 1 would.
			runGit(b, "", "clone", "-q", "--single-branch", "--branch", "master", url, dir)
			from, to = to, from
			args := []string{"-i", "s|" + from + "|" + to + "|"}
			for _, m := range marked {
				args = append(args, filepath.Join(dir, m))
			}
			if out, err := exec.Command("sed", args...).CombinedOutput(); err != nil {
				b.Fatalf("sed: %v: %s", err, out)
			}
			runGit(b, dir, "-c", "user.name="+automationAuthor, "-c", "user.email="+automationEmail,
				"commit", "-q", "-a", "-m", "by hand")
			runGit(b, dir, "push", "-q", "origin", "master")
			total += time.Since(start)
		}
		b.ReportMetric(total.Seconds()/float64(b.N), "s/update")
	})
	controller.Stop() // a parent benchmark prints no metrics: the peak goes to the log
	b.Logf("image-automation-controller: peak RSS %.0f MiB, CPU %s", float64(controller.MaxRSS())/1024, controller.CPU().Round(time.Millisecond))
}

// runGit runs the git binary in dir, failing the benchmark on an error.
func runGit(b *testing.B, dir string, args ...string) {
	b.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// profileImageController, when TIDE_BENCH_PROFILE_DIR names a folder, saves
// there a CPU profile of the image-automation-controller over the next
// TIDE_BENCH_PROFILE_SECONDS (default 10); the channel is closed once it is
// saved (at once without the variable).
func profileImageController(b *testing.B, addr string) <-chan struct{} {
	done := make(chan struct{})
	dir := os.Getenv("TIDE_BENCH_PROFILE_DIR")
	if dir == "" {
		close(done)
		return done
	}
	seconds := os.Getenv("TIDE_BENCH_PROFILE_SECONDS")
	if seconds == "" {
		seconds = "10"
	}
	go func() {
		defer close(done)
		resp, err := http.Get("http://" + addr + "/debug/pprof/profile?seconds=" + seconds)
		if err != nil {
			b.Logf("profile: %v", err)
			return
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(b.Name(), "/", "_")+".cpu.pprof"), data, 0o644)
		}
		if err != nil {
			b.Logf("profile: %v", err)
		}
	}()
	return done
}
