package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// ControlPlane is a running kube-apiserver and etcd with Tide's CRDs served.
type ControlPlane struct {
	// Config reaches the apiserver as an administrator.
	Config *rest.Config
	// Client is a direct (uncached) client: what it writes, it reads back at once.
	Client client.Client
	// Scheme knows the built-in kinds and every Tide kind.
	Scheme *runtime.Scheme
	// KubeConfig reaches the apiserver as an administrator, as a kubeconfig
	// file's bytes (what a user would put in a Secret for a remote cluster).
	KubeConfig []byte

	env *envtest.Environment
}

// NewScheme returns a scheme with the built-in kinds and every Tide kind.
func NewScheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, sourcev1.AddToScheme, kustomizev1.AddToScheme, helmv2.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}

// StartControlPlane starts etcd and kube-apiserver from KubeAssetsDir and
// installs the CRDs of manifests/crds. It takes a few seconds; start one per
// test package (in TestMain) and share it.
func StartControlPlane() (*ControlPlane, error) {
	assets := KubeAssetsDir()
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(assets, bin)); err != nil {
			return nil, fmt.Errorf("%s not found in %s: run `make kube-assets` (or `make test`, which builds it) first", bin, assets)
		}
	}
	scheme := NewScheme()
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{CRDDir()},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
		// envtest's default of 20s is too short on a loaded 2-core machine
		// (several test packages start their apiservers at once).
		ControlPlaneStartTimeout: 2 * time.Minute,
	}
	// envtest's /24 holds 254 Services; the benchmarks release a Service
	// per HelmRelease, thousands.
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.96.0.0/16")
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("start kube-apiserver and etcd: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		_ = env.Stop()
		return nil, err
	}
	return &ControlPlane{Config: cfg, Client: c, Scheme: scheme, KubeConfig: env.KubeConfig, env: env}, nil
}

// Stop stops the apiserver, then etcd.
func (cp *ControlPlane) Stop() error {
	return cp.env.Stop()
}

// Main is a TestMain for packages that share one control plane: it starts
// it into *cp, runs the tests, stops it and exits with the tests' code.
func Main(m *testing.M, cp **ControlPlane) {
	started, err := StartControlPlane()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*cp = started
	code := m.Run()
	_ = started.Stop()
	os.Exit(code)
}
