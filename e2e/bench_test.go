package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// applyConcurrency is how many requests both the bare client and the
// kustomize-controller (--concurrent) have in flight.
const applyConcurrency = 8

// appObjects is one app folder of the benchmark: 4 objects. The Service is
// headless because the test apiserver has only 256 service IPs.
func appObjects(app string) string {
	return strings.Join([]string{
		fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s-config\ndata:\n  app: %s\n", app, app),
		fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s-secret\nstringData:\n  token: %s\n", app, app),
		fmt.Sprintf("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n", app),
		fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\nspec:\n  clusterIP: None\n  selector: {app: %s}\n  ports: [{port: 80}]\n", app, app),
	}, "---\n")
}

// BenchmarkKustomizations measures, on one apiserver, the time to apply K
// apps of 4 objects with a bare server-side-apply client (this machine's
// limit), then through K Kustomizations of one Git source with both
// controllers running, until all are Ready; and the controller's peak RSS.
// Then, with the Kustomizations at interval 1m (bench_drift_test.go): the
// controller's apiserver requests per Kustomization per minute in steady
// state, the time until a hand edit is corrected, and the time and requests
// until all have applied a commit that changes one app. Each K runs with
// this workspace's controllers ("tide") and, when TIDE_BENCH_BASELINE_BIN
// names a folder of other builds (e.g. of an earlier commit), with those
// ("baseline"), side by side.
func BenchmarkKustomizations(b *testing.B) {
	for _, k := range []int{200, 1000} {
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			for _, variant := range benchVariants(b) {
				b.Run(variant.name, func(b *testing.B) {
					for range b.N {
						bare := bareApply(b, k)
						tide, controller := throughKustomizations(b, k, variant.dir)
						b.ReportMetric(bare.Seconds(), "bare-s")
						b.ReportMetric(tide.Seconds(), "tide-s")
						b.ReportMetric(tide.Seconds()/bare.Seconds(), "ratio")
						b.ReportMetric(float64(controller.MaxRSS())/1024, "controller-peak-MiB")
						b.ReportMetric(controller.CPU().Seconds(), "controller-cpu-s")
					}
				})
			}
		})
	}
}

func bareApply(b *testing.B, k int) time.Duration {
	ctx := context.Background()
	ns := testkit.NewNamespace(b, cp.Client)
	var objs []*unstructured.Unstructured
	for i := range k {
		for _, doc := range strings.Split(appObjects(fmt.Sprintf("app%d", i)), "---\n") {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
				b.Fatal(err)
			}
			u.SetNamespace(ns)
			objs = append(objs, u)
		}
	}
	start := time.Now()
	var g errgroup.Group
	g.SetLimit(applyConcurrency)
	for _, u := range objs {
		g.Go(func() error {
			return cp.Client.Patch(ctx, u, client.Apply, client.FieldOwner("bare"), client.ForceOwnership)
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func throughKustomizations(b *testing.B, k int, binDir string) (time.Duration, *testkit.Process) {
	ctx := context.Background()
	git := testkit.StartGitServer(b)
	repo := git.NewRepo(b, "fleet")
	for i := range k {
		app := fmt.Sprintf("app%d", i)
		repo.Write("apps/"+app+"/objects.yaml", appObjects(app))
	}
	repo.Commit("apps")
	metrics := enableMetrics(b)
	args := []string{fmt.Sprintf("--concurrent=%d", applyConcurrency)}
	logDir := os.Getenv("TIDE_BENCH_LOG_DIR") // keeps the controller's debug log, to see what a figure is made of
	if logDir != "" {
		args = append(args, "--log-level=debug")
	}
	_, kustomize := testkit.StartControllersFrom(b, cp, binDir, args...)
	kustomize.WaitForWorkers(b) // the bare client's start-up is not measured either

	ns := testkit.NewNamespace(b, cp.Client)
	source := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
		Spec:       sourcev1.GitRepositorySpec{URL: git.HTTPURL("fleet"), Interval: metav1.Duration{Duration: time.Hour}},
	}
	if err := cp.Client.Create(ctx, source); err != nil {
		b.Fatal(err)
	}
	waitFor(b, time.Minute, 200*time.Millisecond, func() bool {
		return cp.Client.Get(ctx, client.ObjectKeyFromObject(source), source) == nil && source.Status.Artifact != nil
	})

	f := &fleet{ns: ns, k: k, repo: repo, source: source, metrics: metrics, controller: kustomize}
	before := f.requestsByMethod(b)
	start := time.Now()
	profiled := profileFirstApply(b, metrics)
	var g errgroup.Group
	g.SetLimit(applyConcurrency)
	for i := range k {
		ks := &kustomizev1.Kustomization{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app%d", i), Namespace: ns},
			Spec: kustomizev1.KustomizationSpec{
				Interval: metav1.Duration{Duration: time.Minute}, Path: fmt.Sprintf("apps/app%d", i),
				Prune: true, TargetNamespace: ns,
				SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"},
			},
		}
		g.Go(func() error { return cp.Client.Create(ctx, ks) })
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	waitAllReady(b, &kustomizev1.KustomizationList{}, ns, k, 20*time.Minute)
	elapsed := time.Since(start)
	<-profiled
	total := f.since(b, "first apply", before)
	b.ReportMetric(float64(total)/float64(k), "first-apply-req/ks")
	afterFirstApply(b, f)
	kustomize.Stop()
	if logDir != "" {
		_ = os.WriteFile(filepath.Join(logDir, strings.ReplaceAll(b.Name(), "/", "_")+".log"), []byte(kustomize.Logs()), 0o644)
	}
	return elapsed, kustomize
}

// waitAllReady watches the objects of list's kind in ns until k of them
// are Ready. A watch costs the apiserver little more than the events it
// already sends the controller; polling with a list of K objects would load
// the apiserver being measured.
func waitAllReady(b *testing.B, list client.ObjectList, ns string, k int, timeout time.Duration) {
	b.Helper()
	c, err := client.NewWithWatch(cp.Config, client.Options{Scheme: cp.Scheme})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	w, err := c.Watch(ctx, list, client.InNamespace(ns))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	ready, n := map[string]bool{}, 0
	for ev := range w.ResultChan() {
		obj, ok := ev.Object.(interface {
			client.Object
			conditions.Getter
		})
		if !ok {
			continue
		}
		if now := conditions.IsReady(obj); now != ready[obj.GetName()] {
			ready[obj.GetName()] = now
			n += map[bool]int{true: 1, false: -1}[now]
		}
		if n == k {
			return
		}
	}
	b.Fatalf("not all %d objects of %T Ready within %s (%d are)", k, list, timeout, n)
}

// waitFor polls cond every interval until it holds, failing after limit.
func waitFor(b *testing.B, limit, interval time.Duration, cond func() bool) {
	b.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("condition not met within %s", limit)
		}
		time.Sleep(interval)
	}
}

// profileFirstApply, when TIDE_BENCH_PROFILE_DIR names a folder, saves
// there a CPU profile of the controller (from its pprof endpoint beside
// metrics) over the first TIDE_BENCH_PROFILE_SECONDS (default 15) of the
// first apply. The returned channel is closed once it is saved (at once
// without the variable).
func profileFirstApply(b *testing.B, metrics string) <-chan struct{} {
	done := make(chan struct{})
	dir := os.Getenv("TIDE_BENCH_PROFILE_DIR")
	if dir == "" {
		close(done)
		return done
	}
	seconds := os.Getenv("TIDE_BENCH_PROFILE_SECONDS")
	if seconds == "" {
		seconds = "15"
	}
	url := strings.TrimSuffix(metrics, "/metrics") + "/debug/pprof/profile?seconds=" + seconds
	file := filepath.Join(dir, strings.ReplaceAll(b.Name(), "/", "_")+".cpu.pprof")
	go func() {
		defer close(done)
		resp, err := http.Get(url)
		if err != nil {
			b.Logf("profile: %v", err)
			return
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err == nil {
			err = os.WriteFile(file, data, 0o644)
		}
		if err != nil {
			b.Logf("profile: %v", err)
		}
	}()
	return done
}
