package setters

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
	"time"
)

func TestUpdateDir(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"apps/web.yaml":          "kind: Deployment\nmetadata: {name: web}\nspec:\n  image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"apps:web\"}\n",
		"apps/kustomization.yml": "images:\n- name: web\n  newTag: 1.0.0 # {\"$imagepolicy\": \"apps:web:tag\"}\n",
		"apps/Kustomization":     "images:\n- name: web\n  newTag: 1.0.0 # {\"$imagepolicy\": \"apps:web:tag\"}\n",
		"apps/broken.yaml":       "image: [ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"apps:web\"}\n",
		"apps/chart.tpl":         "image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"apps:web\"}\n",
		"apps/current.yaml":      "image: ghcr.io/org/web:1.2.0 # {\"$imagepolicy\": \"apps:web\"}\n",
		"apps/other.yaml":        "image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"other:web\"}\n",
		".git/config.yaml":       "image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"apps:web\"}\n",
	}
	for p, c := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(t.TempDir(), "outside.yaml")
	if err := os.WriteFile(outside, []byte(files["apps/web.yaml"]), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "apps/link.yaml")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(root, "apps/current.yaml"), old, old); err != nil {
		t.Fatal(err)
	}

	res, report, err := UpdateDir(root, testPolicies)
	skipped := report.Skipped
	if err != nil {
		t.Fatal(err)
	}
	var changedFiles []string
	for f := range res.FileChanges {
		changedFiles = append(changedFiles, f)
	}
	if want := []string{"apps/Kustomization", "apps/kustomization.yml", "apps/web.yaml"}; !sameSet(changedFiles, want) {
		t.Errorf("changed files %v, want %v", changedFiles, want)
	}
	if len(skipped) != 1 || skipped[0].Path != "apps/broken.yaml" {
		t.Errorf("skipped %v, want apps/broken.yaml only", skipped)
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read(filepath.Join(root, "apps/web.yaml")); got != "kind: Deployment\nmetadata: {name: web}\nspec:\n  image: ghcr.io/org/web:1.2.0 # {\"$imagepolicy\": \"apps:web\"}\n" {
		t.Errorf("web.yaml: %s", got)
	}
	for _, p := range []string{"apps/broken.yaml", "apps/chart.tpl", "apps/other.yaml", ".git/config.yaml"} {
		if got := read(filepath.Join(root, p)); got != files[p] {
			t.Errorf("%s changed:\n%s", p, got)
		}
	}
	if got := read(outside); got != files["apps/web.yaml"] {
		t.Errorf("a file outside the folder was written through a symlink:\n%s", got)
	}
	if info, err := os.Stat(filepath.Join(root, "apps/current.yaml")); err != nil || !info.ModTime().Equal(old) {
		t.Errorf("an up-to-date file was written again")
	}
	if got := report.Markers["other:web"]; !reflect.DeepEqual(got, []string{"apps/other.yaml"}) {
		t.Errorf("markers of other:web: %v", got)
	}
	if got := report.Markers["apps:web"]; len(got) != 4 { // web, both kustomizations, current
		t.Errorf("markers of apps:web: %v", got)
	}
	objects := res.Objects()
	if got := objects[ObjectIdentifier{Name: "web", Kind: "Deployment"}]; len(got) != 1 {
		t.Errorf("Objects(): %v", objects)
	}
	if got := res.Policies(); !reflect.DeepEqual(got, []string{"apps:web"}) {
		t.Errorf("Policies() = %v", got)
	}
	if got := len(res.Changes()); got != 2 { // the full image and the tag
		t.Errorf("Changes() = %v", res.Changes())
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func TestUpdateFS(t *testing.T) {
	fsys := fstest.MapFS{
		"apps/web.yaml":   {Data: []byte("image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"apps:web\"}\n")},
		"other/web.yaml":  {Data: []byte("image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"apps:web\"}\n")},
		"apps/plain.yaml": {Data: []byte("image: ghcr.io/org/web:1.0.0\n")},
	}
	res, _, changed, err := UpdateFS(fsys, "apps", testPolicies)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 1 || string(changed["apps/web.yaml"]) != "image: ghcr.io/org/web:1.2.0 # {\"$imagepolicy\": \"apps:web\"}\n" {
		t.Errorf("changed %q", changed)
	}
	if _, ok := res.FileChanges["web.yaml"]; !ok || len(res.FileChanges) != 1 {
		t.Errorf("result paths are relative to the root: %v", res.FileChanges)
	}
}
