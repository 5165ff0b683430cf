package helmserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
)

// Chart names one chart version the server holds. Values, when set, is the
// chart's values.yaml; otherwise a small default one.
type Chart struct {
	Name    string
	Version string
	Values  string
	// Templates are added to the chart's ConfigMap template (file name
	// under templates/ → content).
	Templates map[string]string
}

// DeploymentTemplate is a Deployment named after the release, for a
// Chart's Templates. Without a controller-manager it never rolls out: a
// test writes its status.
const DeploymentTemplate = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
    spec:
      containers:
      - name: app
        image: registry.example/app:1.0.0
`

// ServiceTemplate is a ClusterIP Service named after the release, for a
// Chart's Templates.
const ServiceTemplate = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app: {{ .Release.Name }}
  ports:
  - port: 80
`

// fixedTime makes packages and indexes equal from run to run.
var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Package builds c as a small chart with the Helm SDK (a Chart.yaml, a
// values.yaml, one ConfigMap template and c.Templates) and returns its packaged .tgz,
// byte for byte the same for the same c.
func Package(t testing.TB, c Chart) []byte {
	t.Helper()
	values := c.Values
	if values == "" {
		values = "greeting: hello\n"
	}
	ch := &chart.Chart{
		Metadata: &chart.Metadata{
			APIVersion: chart.APIVersionV2, Name: c.Name, Version: c.Version,
			AppVersion: c.Version, Description: "a chart made by Tide's tests", Type: "application",
		},
		Raw: []*common.File{{Name: chartutil.ValuesfileName, Data: []byte(values), ModTime: fixedTime}},
		Templates: []*common.File{{
			Name: "templates/configmap.yaml", ModTime: fixedTime,
			Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n"),
		}},
		ModTime: fixedTime,
	}
	names := slices.Sorted(maps.Keys(c.Templates))
	for _, name := range names {
		ch.Templates = append(ch.Templates, &common.File{Name: "templates/" + name, Data: []byte(c.Templates[name]), ModTime: fixedTime})
	}
	dir := t.TempDir()
	file, err := chartutil.Save(ch, dir)
	if err != nil {
		t.Fatalf("package chart %s-%s: %v", c.Name, c.Version, err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Remove(filepath.Clean(file))
	return data
}

// fileName is the package's name in the repository, as helm package names it.
func (c Chart) fileName() string { return fmt.Sprintf("%s-%s.tgz", c.Name, c.Version) }

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
