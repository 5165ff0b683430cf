package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	"helm.sh/helm/v4/pkg/action"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/kube"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// helmConcurrency is how many releases both the bare Helm SDK loop and the
// helm-controller (--concurrent) install at a time: Flux's default.
const helmConcurrency = 4

// benchChart is the chart of every release, the small chart: a
// ConfigMap and a ClusterIP Service, both Ready as soon as they exist, so
// both sides wait as they would for a real chart (each reading the two
// objects' status) and find nothing to wait for.
var benchChart = helmserver.Chart{Name: "bench", Version: "1.0.0",
	Templates: map[string]string{"service.yaml": helmserver.ServiceTemplate}}

// BenchmarkHelmReleases measures, on one apiserver, the time to install K
// releases of a small chart with a bare loop over the Helm v4 SDK's install
// action (the floor: no controller, no status, no events), then through K
// HelmReleases of one HelmChart (of one HelmRepository) with the source-
// and helm-controllers as processes, until all are Ready; and the
// helm-controller's peak RSS and CPU time. Both install with the same
// concurrency and wait for the objects (kstatus) as Helm does by default.
func BenchmarkHelmReleases(b *testing.B) {
	if err := helmv2.AddToScheme(cp.Scheme); err != nil {
		b.Fatal(err)
	}
	for _, k := range []int{100, 1000} {
		b.Run(fmt.Sprintf("K=%d", k), func(b *testing.B) {
			for range b.N {
				charts := helmserver.Start(b, helmserver.WithCharts(benchChart))
				floor := helmSDKInstalls(b, k, charts.PackageOf(benchChart))
				tide, controller := throughHelmReleases(b, k, charts)
				b.ReportMetric(floor.Seconds(), "helm-sdk-s")
				b.ReportMetric(tide.Seconds(), "tide-s")
				b.ReportMetric(tide.Seconds()/floor.Seconds(), "ratio")
				b.ReportMetric(float64(controller.MaxRSS())/1024, "controller-peak-MiB")
				b.ReportMetric(controller.CPU().Seconds(), "controller-cpu-s")
			}
		})
	}
}

// helmSDKInstalls installs k releases of the packaged chart into a new
// namespace with Helm's install action, helmConcurrency at a time, each
// worker with its own action configuration (as a controller would keep one
// per worker) sharing one connection.
func helmSDKInstalls(b *testing.B, k int, pkg []byte) time.Duration {
	ch, err := loader.LoadArchive(strings.NewReader(string(pkg)))
	if err != nil {
		b.Fatal(err)
	}
	ns := testkit.NewNamespace(b, cp.Client)
	kubeconfig := testkit.WriteKubeconfig(b, cp)
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &kubeconfig
	flags.Namespace = &ns
	configs := make(chan *action.Configuration, helmConcurrency)
	for range helmConcurrency {
		cfg := action.NewConfiguration(action.ConfigurationSetLogger(slog.DiscardHandler))
		if err := cfg.Init(flags, ns, "secret"); err != nil {
			b.Fatal(err)
		}
		configs <- cfg
	}
	start := time.Now()
	var g errgroup.Group
	g.SetLimit(helmConcurrency)
	for i := range k {
		g.Go(func() error {
			cfg := <-configs
			defer func() { configs <- cfg }()
			return helmInstall(cfg, ns, fmt.Sprintf("app%d", i), ch)
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func helmInstall(cfg *action.Configuration, ns, name string, ch *chart.Chart) error {
	a := action.NewInstall(cfg)
	a.ReleaseName, a.Namespace = name, ns
	a.Timeout = 5 * time.Minute
	a.WaitStrategy = kube.StatusWatcherStrategy
	a.ServerSideApply = true
	a.ForceConflicts = true
	_, err := a.RunWithContext(context.Background(), ch, map[string]any{"greeting": name})
	return err
}

// throughHelmReleases creates one HelmRepository and one HelmChart, waits
// for the chart's artifact, then creates k HelmReleases of it and returns
// the time until all are Ready, with the helm-controller process (stopped,
// so its peak RSS and CPU are known).
func throughHelmReleases(b *testing.B, k int, charts *helmserver.Server) (time.Duration, *testkit.Process) {
	ctx := context.Background()
	testkit.StartControllers(b, cp)
	logDir := os.Getenv("TIDE_BENCH_LOG_DIR")
	args := []string{fmt.Sprintf("--concurrent=%d", helmConcurrency), "--graceful-shutdown-timeout=5s"}
	if logDir != "" {
		args = append(args, "--log-level=debug")
	}
	helm := testkit.StartController(b, cp, "helm-controller", args...)
	helm.WaitForWorkers(b)

	ns := testkit.NewNamespace(b, cp.Client)
	repo := &sourcev1.HelmRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "charts", Namespace: ns},
		Spec:       sourcev1.HelmRepositorySpec{URL: charts.URL, Interval: metav1.Duration{Duration: time.Hour}},
	}
	chartObj := &sourcev1.HelmChart{
		ObjectMeta: metav1.ObjectMeta{Name: "bench", Namespace: ns},
		Spec: sourcev1.HelmChartSpec{
			Chart: benchChart.Name, Version: benchChart.Version, Interval: metav1.Duration{Duration: time.Hour},
			SourceRef: sourcev1.LocalHelmChartSourceReference{Kind: sourcev1.HelmRepositoryKind, Name: "charts"},
		},
	}
	for _, obj := range []client.Object{repo, chartObj} {
		if err := cp.Client.Create(ctx, obj); err != nil {
			b.Fatal(err)
		}
	}
	waitFor(b, 2*time.Minute, 200*time.Millisecond, func() bool {
		return cp.Client.Get(ctx, client.ObjectKeyFromObject(chartObj), chartObj) == nil && chartObj.Status.Artifact != nil
	})

	start := time.Now()
	var g errgroup.Group
	g.SetLimit(helmConcurrency)
	for i := range k {
		name := fmt.Sprintf("app%d", i)
		hr := &helmv2.HelmRelease{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: helmv2.HelmReleaseSpec{
				Interval: metav1.Duration{Duration: time.Hour},
				ChartRef: &helmv2.CrossNamespaceSourceReference{Kind: sourcev1.HelmChartKind, Name: "bench"},
				Values:   &apiextensionsv1.JSON{Raw: []byte(`{"greeting":"` + name + `"}`)},
			},
		}
		g.Go(func() error { return cp.Client.Create(ctx, hr) })
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	waitAllReady(b, &helmv2.HelmReleaseList{}, ns, k, 30*time.Minute)
	elapsed := time.Since(start)
	helm.Stop()
	if logDir != "" {
		_ = os.WriteFile(filepath.Join(logDir, strings.ReplaceAll(b.Name(), "/", "_")+".log"), []byte(helm.Logs()), 0o644)
	}
	return elapsed, helm
}
