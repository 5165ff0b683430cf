package ignore

import (
	"os"
	"path/filepath"
	"testing"
)

// writeTree creates files (path -> content) under a new folder.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for path, content := range files {
		full := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func ptr(s string) *string { return &s }

// The cases follow Flux's pattern list: Git's files, then Flux's defaults
// only when nothing else gives a pattern, then every .sourceignore (a
// folder's before its subfolders'), then spec.ignore; the last match wins.
func TestMatcher(t *testing.T) {
	plain := writeTree(t, map[string]string{"apps/deploy.yaml": "x"})
	withFiles := writeTree(t, map[string]string{
		".sourceignore":      "# drafts stay out\ndrafts/\n",
		"apps/.sourceignore": "*.md\n!keep.md\n",
		// Read after the root's file although ".ci" sorts before
		// ".sourceignore": a folder's file comes before its subfolders'.
		".ci/.sourceignore": "notes.txt\n",
	})
	commentsOnly := writeTree(t, map[string]string{".sourceignore": "# nothing yet\n\n   \n"})
	rootNegation := writeTree(t, map[string]string{
		".sourceignore":     "!.ci/notes.txt\n",
		".ci/.sourceignore": "notes.txt\n",
	})

	tests := []struct {
		name     string
		root     string
		spec     *string
		path     string
		isDir    bool
		excluded bool
	}{
		{"git metadata", plain, nil, ".git", true, true},
		{"manifest", plain, nil, "apps/deploy.yaml", false, false},
		{"default: CI config", plain, nil, ".github", true, true},
		{"default: file in CI config", plain, nil, ".github/workflows/ci.yaml", false, true},
		{"default: image", plain, nil, "docs/logo.png", false, true},
		{"default: nested sops config", plain, nil, "apps/.sops.yaml", false, true},
		{"default: .gitignore", plain, nil, ".gitignore", false, true},
		{"empty spec.ignore keeps the defaults", plain, ptr(""), "docs/logo.png", false, true},
		{"comment-only spec.ignore keeps the defaults", plain, ptr("# none\n"), "docs/logo.png", false, true},

		{"spec.ignore drops the defaults", plain, ptr("*.yaml\n"), "docs/logo.png", false, false},
		{"spec.ignore drops the CI defaults", plain, ptr("*.yaml\n"), ".github", true, false},
		{"spec.ignore pattern", plain, ptr("*.yaml\n!apps/keep.yaml\n"), "apps/deploy.yaml", false, true},
		{"spec.ignore negation", plain, ptr("*.yaml\n!apps/keep.yaml\n"), "apps/keep.yaml", false, false},
		{"Git's files stay out with spec.ignore", plain, ptr("*.yaml\n"), ".gitignore", false, true},
		{"spec.ignore brings back a Git file", plain, ptr("*.yaml\n!.gitattributes\n"), ".gitattributes", false, false},
		{"spec.ignore keeps a file below an excluded folder", plain, ptr("deploy/\n!deploy/keep.yaml\n"), "deploy/keep.yaml", false, false},
		{"rest of the excluded folder", plain, ptr("deploy/\n!deploy/keep.yaml\n"), "deploy/other.yaml", false, true},

		{"root .sourceignore", withFiles, nil, "drafts", true, true},
		{"file in a folder .sourceignore excludes", withFiles, nil, "drafts/x.yaml", false, true},
		{"nested .sourceignore scoped to its folder", withFiles, nil, "apps/readme.md", false, true},
		{"nested .sourceignore does not reach siblings", withFiles, nil, "docs/readme.md", false, false},
		{"nested .sourceignore negation", withFiles, nil, "apps/keep.md", false, false},
		{".sourceignore drops the defaults", withFiles, nil, "docs/logo.png", false, false},
		{".sourceignore drops the CI defaults", withFiles, nil, ".github", true, false},
		{"Git's files stay out with a .sourceignore", withFiles, nil, ".gitmodules", false, true},
		{".sourceignore applies with spec.ignore too", withFiles, ptr("*.txt\n"), "drafts", true, true},
		{"spec.ignore overrules .sourceignore", withFiles, ptr("!drafts/keep.yaml\n"), "drafts/keep.yaml", false, false},
		{"a .sourceignore cannot overrule spec.ignore", withFiles, ptr("*.md\n"), "apps/keep.md", false, true},
		{"comment-only .sourceignore keeps the defaults", commentsOnly, nil, "docs/logo.png", false, true},
		{"subfolder file read after its parent's", rootNegation, nil, ".ci/notes.txt", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(tt.root, tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Excluded(tt.path, tt.isDir); got != tt.excluded {
				t.Errorf("Excluded(%q) = %v, want %v", tt.path, got, tt.excluded)
			}
		})
	}
}

// The rules are read from the tree as Flux archives it, with links that
// stay inside replaced by what they point to: a .sourceignore in a linked
// folder applies below the link too, a linked .sourceignore counts, and one
// linked from outside the checkout does not.
func TestMatcherThroughLinks(t *testing.T) {
	outside := writeTree(t, map[string]string{"rules": "*.yaml\n"})
	root := writeTree(t, map[string]string{
		"base/.sourceignore": "*.md\n",
		"shared/rules":       "*.txt\n",
	})
	for link, target := range map[string]string{
		"overlay":               "base",
		"apps/.sourceignore":    "../shared/rules",
		"escape/.sourceignore":  filepath.Join(outside, "rules"),
		"escape2/.sourceignore": "../../" + filepath.Base(outside) + "/rules",
	} {
		full := filepath.Join(root, link)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
	}
	m, err := New(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{
		"base/readme.md":    true,
		"overlay/readme.md": true,  // base's .sourceignore, under the link's path
		"apps/notes.txt":    true,  // a linked .sourceignore
		"escape/app.yaml":   false, // a .sourceignore outside the checkout is not read
		"escape2/app.yaml":  false,
	} {
		if got := m.Excluded(p, false); got != want {
			t.Errorf("Excluded(%q) = %v, want %v", p, got, want)
		}
	}
}
