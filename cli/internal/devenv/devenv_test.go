package devenv_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/devenv"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/manifests"
	"github.com/tidegitops/tide/testkit"
)

// logWriter shows the progress Up prints in the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// The whole demo, as `make run` starts it: the control plane, kwok, the Git
// server, the chart repository and OCI registry, both controllers and the
// bootstrap, until the demo app runs and the chart and OCI sources are
// Ready; then Stop leaves no process running and no port taken.
func TestUp_RunsTheDemoAndStopsCleanly(t *testing.T) {
	root := testkit.RepoRoot()
	if missing := devenv.MissingBinaries(root); len(missing) > 0 {
		t.Fatalf("the dev environment test needs %s in %s: run `make dev-assets` (`make test` builds them first)",
			strings.Join(missing, ", "), filepath.Join(root, "bin", "k8s"))
	}
	g := NewWithT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	ctrllog.SetLogger(logr.Discard())
	dir := t.TempDir()
	t.Cleanup(func() { showLogs(t, filepath.Join(dir, "logs")) })
	start := time.Now()
	env, err := devenv.Up(ctx, devenv.Config{Root: root, Dir: dir, Out: output.New(logWriter{t}), Timeout: 4 * time.Minute})
	if env != nil {
		defer env.Stop()
	}
	g.Expect(err).NotTo(HaveOccurred())
	t.Logf("up in %s", time.Since(start).Round(time.Second))

	cfg, err := env.RESTConfig()
	g.Expect(err).NotTo(HaveOccurred())
	c, err := client.New(cfg, client.Options{Scheme: kube.Scheme()})
	g.Expect(err).NotTo(HaveOccurred())
	for _, name := range append([]string{"flux-system"}, devenv.DemoKustomizations...) {
		k := &kustomizev1.Kustomization{}
		g.Expect(c.Get(ctx, client.ObjectKey{Namespace: kube.DefaultNamespace, Name: name}, k)).To(Succeed())
		g.Expect(apimeta.IsStatusConditionTrue(k.Status.Conditions, "Ready")).To(BeTrue(), "Kustomization %s: %v", name, k.Status.Conditions)
	}
	d := &appsv1.Deployment{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: devenv.DemoNamespace, Name: devenv.DemoApp}, d)).To(Succeed())
	g.Expect(d.Status.AvailableReplicas).To(Equal(*d.Spec.Replicas))
	assertDemoSources(ctx, t, c)
	assertDemoHelmRelease(ctx, t, c)
	assertDemoImageUpdate(ctx, t, c, env)
	assertPushAppliedThroughReceiver(ctx, t, c, env, filepath.Join(dir, "logs", devenv.NotificationsLog))
	g.Expect(env.Kubeconfig).To(BeAnExistingFile())
	g.Expect(filepath.Join(dir, "logs", "kube-apiserver.log")).To(BeAnExistingFile())

	pids, addrs := env.Pids(), env.Addrs
	g.Expect(pids).To(HaveLen(5 + len(manifests.AllControllers()))) // etcd, apiserver, controller-manager, scheduler, kwok, each controller
	start = time.Now()
	env.Stop()
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
	for _, pid := range pids {
		g.Expect(errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)).To(BeTrue(), "pid %d still exists", pid)
	}
	for _, addr := range addrs {
		l, err := net.Listen("tcp", addr)
		g.Expect(err).NotTo(HaveOccurred(), "%s still taken", addr)
		l.Close()
	}
	_, err = os.Stat(filepath.Join(dir, "pids"))
	g.Expect(os.IsNotExist(err)).To(BeTrue(), "the pid file is removed")
}

// assertDemoSources checks what the demo serves besides Git: the chart
// from the local chart repository packaged by a HelmChart, and the OCI
// artifact pushed to the local registry fetched by an OCIRepository and
// applied by the apps-oci Kustomization.
func assertDemoSources(ctx context.Context, t *testing.T, c client.Client) {
	g := NewWithT(t)
	key := func(name string) client.ObjectKey {
		return client.ObjectKey{Namespace: kube.DefaultNamespace, Name: name}
	}
	repo := &sourcev1.HelmRepository{}
	g.Expect(c.Get(ctx, key("demo-charts"), repo)).To(Succeed())
	g.Expect(apimeta.IsStatusConditionTrue(repo.Status.Conditions, "Ready")).To(BeTrue(), "HelmRepository: %v", repo.Status.Conditions)
	chart := &sourcev1.HelmChart{}
	g.Expect(c.Get(ctx, key(devenv.DemoHelmChart), chart)).To(Succeed())
	g.Expect(apimeta.IsStatusConditionTrue(chart.Status.Conditions, "Ready")).To(BeTrue(), "HelmChart: %v", chart.Status.Conditions)
	g.Expect(chart.Status.Artifact).NotTo(BeNil())
	g.Expect(chart.Status.Artifact.Revision).To(Equal("1.0.0"))
	oci := &sourcev1.OCIRepository{}
	g.Expect(c.Get(ctx, key(devenv.DemoOCIRepository), oci)).To(Succeed())
	g.Expect(apimeta.IsStatusConditionTrue(oci.Status.Conditions, "Ready")).To(BeTrue(), "OCIRepository: %v", oci.Status.Conditions)
	g.Expect(oci.Status.Artifact).NotTo(BeNil())
	g.Expect(oci.Status.Artifact.Revision).To(HavePrefix("latest@sha256:"))
	cm := &corev1.ConfigMap{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: devenv.DemoNamespace, Name: "hello-from-oci"}, cm)).To(Succeed())
	g.Expect(cm.Labels).To(HaveKeyWithValue("kustomize.toolkit.fluxcd.io/name", "apps-oci"))
}

// assertDemoHelmRelease checks the demo's HelmRelease (examples/apps-helm)
// installed the chart hello 1.0.0 from the demo chart repository with its
// values, and that the chart's Deployment is available on the kwok node.
func assertDemoHelmRelease(ctx context.Context, t *testing.T, c client.Client) {
	g := NewWithT(t)
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(helmv2.GroupVersion.WithKind(helmv2.HelmReleaseKind))
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: kube.DefaultNamespace, Name: devenv.DemoHelmRelease}, u)).To(Succeed())
	hr := &helmv2.HelmRelease{}
	g.Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, hr)).To(Succeed())
	g.Expect(apimeta.IsStatusConditionTrue(hr.Status.Conditions, "Ready")).To(BeTrue(), "HelmRelease: %v", hr.Status.Conditions)
	g.Expect(hr.Status.History).NotTo(BeEmpty())
	g.Expect(hr.Status.History.Latest().ChartName).To(Equal("hello"))
	g.Expect(hr.Status.History.Latest().ChartVersion).To(Equal("1.0.0"))
	cm := &corev1.ConfigMap{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: devenv.DemoNamespace, Name: devenv.DemoHelmApp + "-greeting"}, cm)).To(Succeed())
	g.Expect(cm.Data).To(HaveKeyWithValue("greeting", "Hello from a HelmRelease"))
	d := &appsv1.Deployment{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: devenv.DemoNamespace, Name: devenv.DemoHelmApp}, d)).To(Succeed())
	g.Expect(d.Status.AvailableReplicas).To(Equal(int32(2)))
}

// assertPushAppliedThroughReceiver pushes a change to fleet.git and checks
// it is applied within seconds, though the GitRepository polls every 10m:
// only the Git server's call to the demo Receiver can make that happen.
// The Alert's generic Provider then logs the apps Kustomization's event
// for the new commit.
func assertPushAppliedThroughReceiver(ctx context.Context, t *testing.T, c client.Client, env *devenv.Env, notifications string) {
	g := NewWithT(t)
	repo := &sourcev1.GitRepository{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: kube.DefaultNamespace, Name: "flux-system"}, repo)).To(Succeed())
	g.Expect(repo.Spec.Interval.Duration).To(Equal(10 * time.Minute))
	g.Expect(env.ReceiverURL).To(ContainSubstring("/hook/"))

	fleet, err := gogit.Clone(memory.NewStorage(), memfs.New(), &gogit.CloneOptions{URL: env.RepoURL})
	g.Expect(err).NotTo(HaveOccurred())
	tree, err := fleet.Worktree()
	g.Expect(err).NotTo(HaveOccurred())
	data, err := util.ReadFile(tree.Filesystem, "apps/deployment.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(data)).To(ContainSubstring("replicas: 2"))
	g.Expect(util.WriteFile(tree.Filesystem, "apps/deployment.yaml",
		[]byte(strings.Replace(string(data), "replicas: 2", "replicas: 3", 1)), 0o644)).To(Succeed())
	_, err = tree.Add("apps/deployment.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	commit, err := tree.Commit("Scale hello to 3", &gogit.CommitOptions{
		Author: &object.Signature{Name: "test", Email: "test@localhost", When: time.Now()}})
	g.Expect(err).NotTo(HaveOccurred())
	pushed := time.Now()
	g.Expect(fleet.Push(&gogit.PushOptions{})).To(Succeed())

	revision := "main@sha1:" + commit.String()
	d := &appsv1.Deployment{}
	g.Eventually(func(g Gomega) {
		g.Expect(c.Get(ctx, client.ObjectKey{Namespace: devenv.DemoNamespace, Name: devenv.DemoApp}, d)).To(Succeed())
		g.Expect(*d.Spec.Replicas).To(Equal(int32(3)))
	}, 30*time.Second, 200*time.Millisecond).Should(Succeed(), "the push is applied long before the 10m poll")
	t.Logf("push applied in %s", time.Since(pushed).Round(100*time.Millisecond))
	g.Eventually(func(g Gomega) {
		data, err := os.ReadFile(notifications)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(string(data)).To(MatchRegexp(`info Kustomization/flux-system/apps \S+ revision=` + revision))
	}, time.Minute, 200*time.Millisecond).Should(Succeed())
}

// showLogs prints the end of every process's log when the test failed.
func showLogs(t *testing.T, dir string) {
	if !t.Failed() {
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		t.Logf("--- %s (last 40 lines)\n%s", filepath.Base(f), strings.Join(lines[max(0, len(lines)-40):], "\n"))
	}
}
