package build_test

import (
	"maps"
	"testing"

	"github.com/tidegitops/tide/kustomize-controller/build"
)

// monorepo is two apps, one of which uses a base outside its own folder.
func monorepo() map[string]string {
	return map[string]string{
		"apps/web/kustomization.yaml": "resources:\n- ../../base\n- cm.yaml\n",
		"apps/web/cm.yaml":            configMap("web"),
		"apps/db/cm.yaml":             configMap("db"),
		"base/kustomization.yaml":     "resources:\n- svc.yaml\n",
		"base/svc.yaml":               service,
		"README.md":                   "docs\n",
	}
}

// inputsOf builds path of files and returns what the build read, and its
// digest on the tree built.
func inputsOf(t *testing.T, files map[string]string, opts build.Options) (*build.Inputs, string) {
	t.Helper()
	root := writeTree(t, files)
	_, in, err := build.BuildInputs(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !in.Replayable() {
		t.Fatalf("inputs of %s are not replayable", opts.Path)
	}
	d, err := in.Digest(root)
	if err != nil {
		t.Fatal(err)
	}
	return in, d
}

// The digest of what a build read changes with every file it read (in its
// folder, or in a base outside it) and with what its folders hold, and
// stays when only files it never read change.
func TestInputsDigestFollowsWhatTheBuildRead(t *testing.T) {
	neighbour := map[string]string{"apps/web": "apps/db/cm.yaml", "apps/db": "apps/web/cm.yaml"}
	for _, path := range []string{"apps/web", "apps/db"} {
		opts := build.Options{Path: path, NoRemoteBases: true, TargetNamespace: "apps"}
		in, want := inputsOf(t, monorepo(), opts)
		digestOf := func(change func(files map[string]string)) string {
			files := maps.Clone(monorepo())
			change(files)
			d, err := in.Digest(writeTree(t, files))
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		same := map[string]func(map[string]string){
			"unchanged tree":     func(map[string]string) {},
			"another app":        func(f map[string]string) { f["apps/other/cm.yaml"] = configMap("other") },
			"a file not built":   func(f map[string]string) { f["README.md"] = "more docs\n" },
			"a neighbour's file": func(f map[string]string) { f[neighbour[path]] = configMap("x") },
		}
		for name, change := range same {
			if got := digestOf(change); got != want {
				t.Errorf("%s: %s: digest changed, so the build would run again for nothing", path, name)
			}
		}
		changed := map[string]func(map[string]string){
			"a file of the folder": func(f map[string]string) { f[path+"/cm.yaml"] = configMap("renamed") },
			"a new file in the folder": func(f map[string]string) {
				f[path+"/extra.yaml"] = configMap("extra")
			},
		}
		if path == "apps/web" {
			changed["a file of the base outside the folder"] = func(f map[string]string) { f["base/svc.yaml"] = service + "  - port: 81\n" }
			changed["the base's kustomization"] = func(f map[string]string) { f["base/kustomization.yaml"] = "resources:\n- svc.yaml\nnamePrefix: x-\n" }
		}
		for name, change := range changed {
			if got := digestOf(change); got == want {
				t.Errorf("%s: %s: digest unchanged, so the change would not be built", path, name)
			}
		}
	}
}

// A symlink the build followed counts by where it leads.
func TestInputsDigestFollowsSymlinks(t *testing.T) {
	files := map[string]string{
		"apps/web/kustomization.yaml": "resources:\n- shared\n",
		"one/cm.yaml":                 configMap("one"),
		"two/cm.yaml":                 configMap("two"),
		"one/kustomization.yaml":      "resources:\n- cm.yaml\n",
		"two/kustomization.yaml":      "resources:\n- cm.yaml\n",
	}
	root := writeTree(t, files)
	symlink(t, root, "apps/web/shared", "../../one")
	_, in, err := build.BuildInputs(root, build.Options{Path: "apps/web", NoRemoteBases: true})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := in.Digest(root)

	other := writeTree(t, files)
	symlink(t, other, "apps/web/shared", "../../two")
	after, err := in.Digest(other)
	if err != nil {
		t.Fatal(err)
	}
	if before == after {
		t.Fatal("a symlink pointed elsewhere and the digest did not change")
	}
}

// What kustomize would fetch itself (a remote base) cannot be looked at
// again: such a build is not replayable.
func TestInputsOfRemoteBaseNotReplayable(t *testing.T) {
	root := writeTree(t, map[string]string{
		"app/kustomization.yaml": "resources:\n- https://example.com/nowhere/cm.yaml\n- cm.yaml\n",
		"app/cm.yaml":            configMap("app"),
	})
	// The remote fetch fails here (no network): only the record matters.
	_, in, _ := build.BuildInputs(root, build.Options{Path: "app"})
	if in.Replayable() {
		t.Fatal("a build with a remote resource counted as replayable")
	}
	if _, err := in.Digest(root); err == nil {
		t.Fatal("Digest of a build that read beyond its tree did not fail")
	}
}
