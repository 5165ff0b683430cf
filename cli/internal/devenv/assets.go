package devenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ClusterBinaries are what the local control plane runs, from bin/k8s of a
// Tide checkout (`make kube-assets dev-assets` builds them).
var ClusterBinaries = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "kwok-stages.yaml"}

// FindRoot returns the Tide checkout dir is in (the folder holding go.work
// and examples/), looking upwards.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if exists(filepath.Join(d, "go.work")) && exists(filepath.Join(d, "examples")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside a Tide checkout (no go.work and examples/ above it): run `make run` from the repository", dir)
		}
	}
}

// MissingBinaries lists the ClusterBinaries absent from root/bin/k8s.
func MissingBinaries(root string) []string {
	var missing []string
	for _, b := range ClusterBinaries {
		if !exists(filepath.Join(root, "bin", "k8s", b)) {
			missing = append(missing, b)
		}
	}
	return missing
}

// checkAssets fails with what to run when a binary or git is missing.
func checkAssets(root string) error {
	if missing := MissingBinaries(root); len(missing) > 0 {
		return fmt.Errorf("missing in %s: %s (run `make kube-assets dev-assets`, or `make run`, which builds them once)",
			filepath.Join(root, "bin", "k8s"), strings.Join(missing, ", "))
	}
	if _, err := exec.LookPath("git"); err != nil {
		return errors.New("the git binary is not in PATH: the local Git server needs it")
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
