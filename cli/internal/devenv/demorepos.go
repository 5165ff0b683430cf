package devenv

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/tidegitops/tide/cli/internal/devenv/chartrepo"
	"github.com/tidegitops/tide/cli/internal/devenv/registry"
	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/ociartifact"
)

// What the demo serves besides Git (examples/charts, examples/oci-app), and
// where the demo fleet finds it: the ConfigMap EndpointsConfigMap in
// flux-system, which the `sources` Kustomization substitutes into its
// HelmRepository and OCIRepository (postBuild.substituteFrom).
const (
	EndpointsConfigMap     = "dev-endpoints"
	DemoArtifactRepository = "tide-demo/manifests"
	DemoArtifactTag        = "latest"
	// DemoImageRepository is the demo image in the registry, whose newest
	// version the demo ImagePolicy (examples/images) picks and the
	// automation writes into apps/deployment.yaml.
	DemoImageRepository = "tide-demo/podinfo"
	DemoImageLatest     = "6.8.0"
)

// DemoImageTags are the demo image's tags: DemoImageLatest is the newest
// version (the release candidate is not picked by the semver range).
var DemoImageTags = []string{"6.7.0", "6.7.1", DemoImageLatest, "6.9.0-rc.1"}

// stopFunc makes a function a stopper.
type stopFunc func()

func (f stopFunc) stop() { f() }

// startDemoRepos serves the demo's Helm chart repository and OCI registry
// on 127.0.0.1, and pushes examples/oci-app to the registry as a Flux
// artifact, with the demo Git repository as its source.
func (e *Env) startDemoRepos(ctx context.Context) error {
	addr, err := e.freeAddr()
	if err != nil {
		return err
	}
	charts, err := chartrepo.Start(filepath.Join(e.cfg.Root, "examples", "charts"), e.path("charts"), addr, e.exited)
	if err != nil {
		return err
	}
	e.stoppers = append(e.stoppers, stopFunc(charts.Stop))
	e.ChartRepoURL = charts.URL
	e.cfg.Out.Success("Helm chart repository running: %s (%s, from examples/charts)", charts.URL, strings.Join(charts.Charts, ", "))

	if addr, err = e.freeAddr(); err != nil {
		return err
	}
	logFile, err := os.Create(e.path("logs", "oci-registry.log"))
	if err != nil {
		return err
	}
	reg, err := registry.Start(addr, logFile, e.exited)
	if err != nil {
		logFile.Close()
		return err
	}
	e.stoppers = append(e.stoppers, stopFunc(func() { reg.Stop(); logFile.Close() }))
	digest, err := reg.Push(ctx, DemoArtifactRepository, DemoArtifactTag, filepath.Join(e.cfg.Root, "examples", "oci-app"),
		ociartifact.Metadata{Source: e.RepoURL, Revision: "main@sha1:" + e.demoCommit})
	if err != nil {
		return err
	}
	e.OCIRepoURL = reg.URL(DemoArtifactRepository)
	e.cfg.Out.Success("OCI registry running: pushed examples/oci-app to %s:%s (%s)", e.OCIRepoURL, DemoArtifactTag, digest)
	if err := reg.PushImageTags(ctx, DemoImageRepository, DemoImageTags...); err != nil {
		return err
	}
	e.DemoImage = reg.Image(DemoImageRepository)
	e.cfg.Out.Success("pushed the demo image %s with tags %s, for the image automation", e.DemoImage, strings.Join(DemoImageTags, ", "))
	return nil
}

// publishEndpoints writes the addresses of the chart repository, the
// registry and the notification log where the demo fleet reads them, and
// the demo Receiver's token Secret.
func (e *Env) publishEndpoints(ctx context.Context) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: EndpointsConfigMap, Namespace: kube.DefaultNamespace},
		Data: map[string]string{"CHART_REPO_URL": e.ChartRepoURL, "OCI_REPO_URL": e.OCIRepoURL,
			"NOTIFY_URL": e.NotifyURL, "DEMO_IMAGE": e.DemoImage},
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(cm)
	if err != nil {
		return err
	}
	token, err := receiverToken()
	if err != nil {
		return err
	}
	secret := &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: ReceiverSecret, Namespace: kube.DefaultNamespace},
		StringData: token,
	}
	su, err := runtime.DefaultUnstructuredConverter.ToUnstructured(secret)
	if err != nil {
		return err
	}
	ns := &unstructured.Unstructured{}
	ns.SetAPIVersion("v1")
	ns.SetKind("Namespace")
	ns.SetName(kube.DefaultNamespace)
	if err := install.Apply(ctx, c, []*unstructured.Unstructured{ns, {Object: u}, {Object: su}}, e.cfg.Out); err != nil {
		return err
	}
	e.cfg.Out.Success("ConfigMap/%s/%s holds their addresses for the demo fleet (CHART_REPO_URL, OCI_REPO_URL, NOTIFY_URL, DEMO_IMAGE)", kube.DefaultNamespace, EndpointsConfigMap)
	e.cfg.Out.Success("Secret/%s/%s holds the demo Receiver's token (random, made for this run)", kube.DefaultNamespace, ReceiverSecret)
	return nil
}
