package ocirepository

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// BenchmarkSteadyState100 measures 100 OCIRepositories of one registry
// (basic auth, one docker config Secret) whose artifact does not change:
// each iteration asks all 100 to reconcile and waits until every one has
// handled the request. It reports the registry requests per reconcile, by
// kind, and the CPU time of this process (controller, test client and
// registry) per reconcile. Target: one manifest request and no blob.
func BenchmarkSteadyState100(b *testing.B) {
	const n = 100
	ctx := context.Background()
	ns := testkit.NewNamespace(b, env.CP.Client)
	reg := startRegistry(b, ns)
	push(b, reg, "fleet:latest", nil, contentLayer(b, map[string]string{"apps/a.yaml": "a: 1\n"}))
	objs := make([]*sourcev1.OCIRepository, n)
	for i := range objs {
		objs[i] = newOCIRepository(ns, reg, "fleet")
		objs[i].GenerateName, objs[i].Name = "", fmt.Sprintf("oci-%03d", i)
		create(b, objs[i])
	}
	waitAllHandled(b, ns, n, "")

	reg.Reset()
	cpu := cpuTime()
	reconciles := 0
	for b.Loop() {
		token := time.Now().Format(time.RFC3339Nano)
		for _, obj := range objs {
			patch := client.RawPatch("application/merge-patch+json",
				fmt.Appendf(nil, `{"metadata":{"annotations":{%q:%q}}}`, meta.ReconcileRequestAnnotation, token))
			if err := env.CP.Client.Patch(ctx, obj, patch); err != nil {
				b.Fatal(err)
			}
		}
		waitAllHandled(b, ns, n, token)
		reconciles += n
	}
	per := func(count int) float64 { return float64(count) / float64(reconciles) }
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(reconciles), "cpu-ms/reconcile")
	b.ReportMetric(per(len(reg.Requests())), "requests/reconcile")
	b.ReportMetric(per(reg.Count("HEAD", ociregistry.KindManifest)), "manifest-heads/reconcile")
	b.ReportMetric(per(reg.Count("GET", ociregistry.KindManifest)), "manifest-gets/reconcile")
	b.ReportMetric(per(reg.Count("", ociregistry.KindBlob)), "blobs/reconcile")
	b.ReportMetric(per(reg.Count("", ociregistry.KindPing)), "pings/reconcile")
}

// waitAllHandled waits until n OCIRepositories of ns have an artifact and,
// when token is set, have handled that reconcile request.
func waitAllHandled(b *testing.B, ns string, n int, token string) {
	b.Helper()
	NewWithT(b).Eventually(func() int {
		var list sourcev1.OCIRepositoryList
		if err := env.CP.Client.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			return 0
		}
		done := 0
		for _, item := range list.Items {
			if item.Status.Artifact != nil && (token == "" || item.Status.LastHandledReconcileAt == token) {
				done++
			}
		}
		return done
	}, 5*time.Minute, 200*time.Millisecond).Should(Equal(n))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
