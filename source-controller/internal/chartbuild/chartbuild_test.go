package chartbuild

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
)

// writeTree writes files (slash paths relative to dir) with their content.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func source(t *testing.T) string {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"charts/app/Chart.yaml":             "apiVersion: v2\nname: app\nversion: 1.2.3\ndependencies:\n- name: lib\n  version: '>=0.1.0'\n  repository: file://../lib\n",
		"charts/app/values.yaml":            "replicas: 1\nimage:\n  tag: v1\n  repo: app\n",
		"charts/app/templates/cm.yaml":      "kind: ConfigMap\n",
		"charts/lib/Chart.yaml":             "apiVersion: v2\nname: lib\nversion: 0.2.0\n",
		"charts/lib/templates/_helpers.tpl": "{{/* */}}\n",
		"env/prod.yaml":                     "image:\n  tag: v2\n",
		"env/big.yaml":                      "replicas: 3\n",
	})
	return dir
}

func build(t *testing.T, dir string, valuesFiles []string) (*chartv2.Chart, string) {
	t.Helper()
	c, err := LoadFromSource(dir, "./charts/app", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(valuesFiles) > 0 {
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer root.Close()
		values, _, err := MergeValuesFiles(root.FS(), valuesFiles, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := SetValues(c, values); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := ResolveDependencies(context.Background(), c, dir, "charts/app", nil, DefaultLimits); err != nil || n != 1 {
		t.Fatalf("dependencies: %d, %v", n, err)
	}
	p, err := Package(c, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return c, fmt.Sprintf("%x", sha256.Sum256(data))
}

// Equal inputs give equal archives, whatever the files' times; a changed
// value gives another archive.
func TestPackageIsDeterministic(t *testing.T) {
	a, b := source(t), source(t)
	old := filepath.Join(b, "charts/app/templates/cm.yaml")
	if err := os.Chtimes(old, oldTime, oldTime); err != nil {
		t.Fatal(err)
	}
	_, da := build(t, a, nil)
	_, db := build(t, b, nil)
	if da != db {
		t.Errorf("equal charts packaged differently: %s vs %s", da, db)
	}
	_, dv := build(t, a, []string{"charts/app/values.yaml", "env/prod.yaml"})
	if dv == da {
		t.Error("merged values did not change the archive")
	}
}

// Values files merge in order, maps key by key, and replace values.yaml.
func TestMergeValuesFiles(t *testing.T) {
	c, _ := build(t, source(t), []string{"charts/app/values.yaml", "./env/prod.yaml", "/env/big.yaml"})
	img := c.Values["image"].(map[string]any)
	if img["tag"] != "v2" || img["repo"] != "app" || c.Values["replicas"] != float64(3) {
		t.Errorf("merged values: %v", c.Values)
	}
	c2, _ := build(t, source(t), []string{"env/prod.yaml"})
	if _, ok := c2.Values["replicas"]; ok {
		t.Errorf("values.yaml kept although not listed: %v", c2.Values)
	}
}

func TestMergeValuesFilesMissing(t *testing.T) {
	dir := source(t)
	root, _ := os.OpenRoot(dir)
	defer root.Close()
	_, _, err := MergeValuesFiles(root.FS(), []string{"env/prod.yaml", "env/nope.yaml"}, false)
	if e, ok := AsError(err); !ok || e.Reason != ReasonValuesFiles {
		t.Fatalf("missing values file: %v", err)
	}
	_, used, err := MergeValuesFiles(root.FS(), []string{"env/prod.yaml", "env/nope.yaml"}, true)
	if err != nil || len(used) != 1 || used[0] != "env/prod.yaml" {
		t.Errorf("ignoreMissing: %v %v", used, err)
	}
	_, _, err = MergeValuesFiles(root.FS(), []string{"../outside.yaml"}, true)
	if err == nil {
		t.Error("a values file outside the source was accepted")
	}
}

func TestLoadFromSourceErrors(t *testing.T) {
	dir := source(t)
	writeTree(t, dir, map[string]string{"broken/app-1.0.0.tgz": "not a tarball", "big/Chart.yaml": "apiVersion: v2\nname: big\nversion: 1.0.0\n", "big/files/blob": string(make([]byte, 2048))})
	tests := []struct {
		path, reason string
	}{
		{"charts/missing", ReasonChartReference},
		{"env", ReasonChartReference},
		{"../x", ReasonChartReference},
		{"broken/app-1.0.0.tgz", ReasonChartPackage},
		{"big", ReasonChartPackage},
	}
	for _, tt := range tests {
		_, err := LoadFromSource(dir, tt.path, Limits{ChartSize: 1 << 20, FileSize: 1024})
		if e, ok := AsError(err); !ok || e.Reason != tt.reason {
			t.Errorf("%s: got %v, want reason %s", tt.path, err, tt.reason)
		}
	}
}

func TestLocalDependencyVersionChecked(t *testing.T) {
	dir := source(t)
	writeTree(t, dir, map[string]string{"charts/lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 0.0.1\n"})
	c, err := LoadFromSource(dir, "charts/app", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ResolveDependencies(context.Background(), c, dir, "charts/app", nil, DefaultLimits)
	if e, ok := AsError(err); !ok || e.Reason != ReasonDependency {
		t.Errorf("got %v", err)
	}
}

func TestVersionWithMetadata(t *testing.T) {
	v, err := VersionWithMetadata("1.2.3+old", "abcdef012345.4")
	if err != nil || v != "1.2.3+abcdef012345.4" {
		t.Errorf("got %q, %v", v, err)
	}
	if _, err := VersionWithMetadata("latest", "1"); !errors.As(err, new(*Error)) {
		t.Errorf("non-semver version: %v", err)
	}
}

var oldTime = packagedTime.AddDate(5, 0, 0)

// Values files of a pulled chart are read from the chart itself.
func TestMergeValuesFilesFromChart(t *testing.T) {
	dir := source(t)
	writeTree(t, dir, map[string]string{"charts/app/ci/prod.yaml": "replicas: 5\n"})
	c, err := LoadFromSource(dir, "charts/app", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	values, used, err := MergeValuesFiles(ChartFS{Chart: c}, []string{"values.yaml", "./ci/prod.yaml", "ci/none.yaml"}, true)
	if err != nil || len(used) != 2 {
		t.Fatalf("merge: %v %v", used, err)
	}
	if values["replicas"] != float64(5) || values["image"] == nil {
		t.Errorf("merged: %v", values)
	}
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{"./a/b": "a/b", "/a/../b": "b", "": ".", "a/": "a", "..": "", "a/../../b": ""} {
		got, err := CleanPath(in)
		if want == "" {
			if err == nil {
				t.Errorf("%q: accepted as %q", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
	}
}
