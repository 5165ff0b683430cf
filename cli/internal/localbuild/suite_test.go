package localbuild_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// writeTree writes files (slash-separated paths) under a new temporary
// directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// createKustomization creates a Kustomization in the cluster.
func createKustomization(t *testing.T, ks *kustomizev1.Kustomization) {
	t.Helper()
	ks.Spec.Interval = metav1.Duration{Duration: time.Minute}
	ks.Spec.SourceRef = kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "fleet"}
	if err := cp.Client.Create(context.Background(), ks); err != nil {
		t.Fatalf("create Kustomization: %v", err)
	}
}

const appFiles = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  region: ${REGION}
  tier: ${TIER:=gold}
  env: ${ENV}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.0
`
