package helmserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
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
}

// fixedTime makes packages and indexes equal from run to run.
var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Package builds c as a small chart with the Helm SDK (a Chart.yaml, a
// values.yaml and one ConfigMap template) and returns its packaged .tgz,
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
