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

	"github.com/go-logr/logr"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/cli/internal/devenv"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/testkit"
)

// logWriter shows the progress Up prints in the test log.
type logWriter struct{ t *testing.T }

func (w logWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// The whole demo, as `make run` starts it: the control plane, kwok, the Git
// server, both controllers and the bootstrap, until the demo app runs; then
// Stop leaves no process running and no port taken.
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
	g.Expect(env.Kubeconfig).To(BeAnExistingFile())
	g.Expect(filepath.Join(dir, "logs", "kube-apiserver.log")).To(BeAnExistingFile())

	pids, addrs := env.Pids(), env.Addrs
	g.Expect(pids).To(HaveLen(7)) // etcd, apiserver, controller-manager, scheduler, kwok, both controllers
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
