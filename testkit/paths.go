package testkit

import (
	"os"
	"path/filepath"
	"runtime"
)

// RepoRoot returns the root of the Tide checkout, found from this source
// file's location so that tests work from any module and any directory.
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testkit: cannot locate its own source file")
	}
	return filepath.Dir(filepath.Dir(file))
}

// KubeAssetsDir returns the folder holding kube-apiserver and etcd:
// $KUBEBUILDER_ASSETS when set, else bin/k8s in the checkout.
func KubeAssetsDir() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(), "bin", "k8s")
}

// CRDDir returns the folder of Tide's generated CRDs.
func CRDDir() string {
	return filepath.Join(RepoRoot(), "manifests", "crds")
}
