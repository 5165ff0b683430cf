package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// benchVariant is a folder of controller binaries to measure.
type benchVariant struct{ name, dir string }

// benchVariants are this workspace's controllers, and the baseline's when
// TIDE_BENCH_BASELINE_BIN names a folder of them.
func benchVariants(b *testing.B) []benchVariant {
	variants := []benchVariant{{"tide", testkit.BuildControllers(b)}}
	if dir := os.Getenv("TIDE_BENCH_BASELINE_BIN"); dir != "" {
		variants = append(variants, benchVariant{"baseline", dir})
	}
	return variants
}

// enableMetrics makes the next kustomize-controller serve its metrics on a
// free local port, and returns their URL.
func enableMetrics(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	b.Setenv("TIDE_E2E_PPROF_KUSTOMIZE_CONTROLLER", addr)
	return "http://" + addr + "/metrics"
}

// fleet is the benchmark's K Kustomizations, once all are Ready.
type fleet struct {
	ns         string
	k          int
	repo       *testkit.Repo
	source     *sourcev1.GitRepository
	metrics    string
	controller *testkit.Process
}

// afterFirstApply measures what follows the first apply: steady state,
// drift correction, and a commit that changes one app of K.
func afterFirstApply(b *testing.B, f *fleet) {
	b.ReportMetric(f.steadyState(b), "steady-req/ks/min")
	mean, longest := f.handEdits(b, 3)
	b.ReportMetric(mean.Seconds(), "edit-fixed-mean-s")
	b.ReportMetric(longest.Seconds(), "edit-fixed-max-s")
	b.ReportMetric(float64(f.fullCheck(b, "app1")), "full-check-req")
	took, requests := f.oneAppCommit(b)
	b.ReportMetric(took.Seconds(), "one-app-commit-s")
	b.ReportMetric(float64(requests), "one-app-commit-req")
}

// requests sums the controller's requests to the apiserver so far
// (controller-runtime's rest_client_requests_total).
func (f *fleet) requests(b *testing.B) int {
	total := 0
	for _, n := range f.requestsByMethod(b) {
		total += n
	}
	return total
}

// requestsByMethod is requests by HTTP method.
func (f *fleet) requestsByMethod(b *testing.B) map[string]int {
	resp, err := http.Get(f.metrics)
	if err != nil {
		b.Fatalf("read the controller's metrics: %v", err)
	}
	defer resp.Body.Close()
	byMethod := map[string]int{}
	scan := bufio.NewScanner(resp.Body)
	scan.Buffer(make([]byte, 1<<20), 1<<20)
	for scan.Scan() {
		line := scan.Text()
		if !strings.HasPrefix(line, "rest_client_requests_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
		if err != nil {
			continue
		}
		method := "?"
		if i := strings.Index(line, `method="`); i >= 0 {
			method = line[i+8:]
			method = method[:strings.Index(method, `"`)]
		}
		byMethod[method] += int(v)
	}
	return byMethod
}

// since logs, on one line, the requests by method since before, and
// returns their sum.
func (f *fleet) since(b *testing.B, what string, before map[string]int) int {
	total, line := 0, what+", requests:"
	now := f.requestsByMethod(b)
	for _, method := range []string{"GET", "PATCH", "POST", "PUT", "DELETE"} {
		if n := now[method] - before[method]; n != 0 {
			total += n
			line += fmt.Sprintf(" %s %d", method, n)
		}
	}
	b.Log(line)
	return total
}

// steadyState counts the controller's requests over a minute once the
// first apply is over: with interval 1m and an unchanged source, each
// Kustomization runs once in it.
func (f *fleet) steadyState(b *testing.B) float64 {
	f.settle(b)
	before := f.requestsByMethod(b)
	time.Sleep(time.Minute) // the measurement window itself
	return float64(f.since(b, "steady state, 1m", before)) / float64(f.k)
}

// settle waits until the events sent so far are out (one request each, in
// the recorder's own time), so that they are not counted in what follows.
func (f *fleet) settle(b *testing.B) {
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		posts := f.requestsByMethod(b)["POST"]
		time.Sleep(3 * time.Second)
		if f.requestsByMethod(b)["POST"] == posts {
			return
		}
	}
}

// handEdits changes the ConfigMaps of n apps at once, as kubectl edit does,
// and returns the mean and longest time until each is set back.
func (f *fleet) handEdits(b *testing.B, n int) (mean, longest time.Duration) {
	ctx := context.Background()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 2; i < 2+n; i++ {
		wg.Go(func() {
			key := client.ObjectKey{Namespace: f.ns, Name: fmt.Sprintf("app%d-config", i)}
			want := fmt.Sprintf("app%d", i)
			cm := &corev1.ConfigMap{}
			if err := cp.Client.Get(ctx, key, cm); err != nil {
				b.Error(err)
				return
			}
			cm.Data["app"] = "edited"
			start := time.Now()
			if err := cp.Client.Update(ctx, cm, client.FieldOwner("kubectl-edit")); err != nil {
				b.Error(err)
				return
			}
			waitFor(b, 2*time.Minute, 20*time.Millisecond, func() bool {
				return cp.Client.Get(ctx, key, cm) == nil && cm.Data["app"] == want
			})
			took := time.Since(start)
			mu.Lock()
			mean += took / time.Duration(n)
			longest = max(longest, took)
			mu.Unlock()
		})
	}
	wg.Wait()
	return mean, longest
}

// fullCheck counts the requests of one requested reconciliation of an
// unchanged Kustomization: what checking one app in full costs.
func (f *fleet) fullCheck(b *testing.B, name string) int {
	ctx := context.Background()
	ks := &kustomizev1.Kustomization{}
	key := client.ObjectKey{Namespace: f.ns, Name: name}
	token := time.Now().Format(time.RFC3339Nano)
	f.settle(b)
	before := f.requestsByMethod(b)
	if err := cp.Client.Get(ctx, key, ks); err != nil {
		b.Fatal(err)
	}
	patch := client.MergeFrom(ks.DeepCopy())
	ks.Annotations = map[string]string{"reconcile.fluxcd.io/requestedAt": token}
	if err := cp.Client.Patch(ctx, ks, patch); err != nil {
		b.Fatal(err)
	}
	waitFor(b, time.Minute, 20*time.Millisecond, func() bool {
		return cp.Client.Get(ctx, key, ks) == nil && ks.Status.LastHandledReconcileAt == token
	})
	return f.since(b, "full check of "+name, before)
}

// oneAppCommit commits a change to app0 alone, asks the source to fetch it,
// and returns the time and the controller's requests until every
// Kustomization has applied it.
func (f *fleet) oneAppCommit(b *testing.B) (time.Duration, int) {
	ctx := context.Background()
	f.repo.Write("apps/app0/objects.yaml", strings.Replace(appObjects("app0"), "  app: app0\n", "  app: app0-v2\n", 1))
	hash := f.repo.Commit("app0: v2")
	f.settle(b)
	before := f.requestsByMethod(b)
	start := time.Now()
	patch := client.MergeFrom(f.source.DeepCopy())
	f.source.Annotations = map[string]string{"reconcile.fluxcd.io/requestedAt": start.Format(time.RFC3339Nano)}
	if err := cp.Client.Patch(ctx, f.source, patch); err != nil {
		b.Fatal(err)
	}
	waitAllApplied(b, f.ns, f.k, hash)
	took := time.Since(start)
	total := f.since(b, "one-app commit", before)
	f.settle(b)
	f.since(b, "one-app commit, once its events are out", before)
	return took, total
}

// waitAllApplied watches the Kustomizations of ns until k of them have
// applied the commit hash.
func waitAllApplied(b *testing.B, ns string, k int, hash string) {
	b.Helper()
	c, err := client.NewWithWatch(cp.Config, client.Options{Scheme: cp.Scheme})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	w, err := c.Watch(ctx, &kustomizev1.KustomizationList{}, client.InNamespace(ns))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	applied := map[string]bool{}
	for ev := range w.ResultChan() {
		if ks, ok := ev.Object.(*kustomizev1.Kustomization); ok && strings.HasSuffix(ks.Status.LastAppliedRevision, hash) {
			applied[ks.Name] = true
		}
		if len(applied) == k {
			return
		}
	}
	b.Fatalf("not all %d Kustomizations applied %s within 10m", k, hash)
}
