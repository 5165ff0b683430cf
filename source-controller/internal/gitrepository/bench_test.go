package gitrepository

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
)

// BenchmarkSteadyState200 measures 200 GitRepositories on one Git server
// whose head does not move: each iteration asks all 200 to reconcile and
// waits until every one has handled the request. It reports the CPU time of
// this process (controller, test client and in-process Git server front end)
// and the Git server requests, per reconcile. Target: one ref advertisement
// and no upload-pack per reconcile.
func BenchmarkSteadyState200(b *testing.B) {
	const n = 200
	ctx := context.Background()
	srv := testkit.StartGitServer(b)
	srv.NewRepo(b, "fleet").Write("apps/a.yaml", "a: 1\n").Commit("first")
	ns := testkit.NewNamespace(b, env.CP.Client)
	objs := make([]*sourcev1.GitRepository, n)
	for i := range objs {
		objs[i] = newGitRepository(ns, srv.HTTPURL("fleet"))
		objs[i].GenerateName, objs[i].Name = "", fmt.Sprintf("repo-%03d", i)
		if err := env.CP.Client.Create(ctx, objs[i]); err != nil {
			b.Fatal(err)
		}
	}
	waitAllHandled(b, ns, n, "")

	adverts, packs := srv.RefAdvertisements(), srv.UploadPacks()
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
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1000/float64(reconciles), "cpu-ms/reconcile")
	b.ReportMetric(float64(srv.RefAdvertisements()-adverts)/float64(reconciles), "ref-adverts/reconcile")
	b.ReportMetric(float64(srv.UploadPacks()-packs)/float64(reconciles), "upload-packs/reconcile")
}

// waitAllHandled waits until n GitRepositories of ns are Ready and, when
// token is set, have handled that reconcile request.
func waitAllHandled(b *testing.B, ns string, n int, token string) {
	b.Helper()
	NewWithT(b).Eventually(func() int {
		var list sourcev1.GitRepositoryList
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
