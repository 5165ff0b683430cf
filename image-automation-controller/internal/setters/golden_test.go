package setters

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGolden rewrites testdata/original (a copy) and compares every file
// with testdata/expected, byte for byte.
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	originals, err := filepath.Glob("testdata/original/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range originals {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, report, err := UpdateDir(dir, testPolicies)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Skipped) != 1 || report.Skipped[0].Path != "template.yaml" {
		t.Errorf("skipped %v, want the Helm template only", report.Skipped)
	}
	if len(res.FileChanges) != 3 {
		t.Errorf("changed files %v, want 3", res.FileChanges)
	}
	for _, p := range originals {
		name := filepath.Base(p)
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("testdata/expected", name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n%s\nwant:\n%s", name, got, want)
		}
	}
}
