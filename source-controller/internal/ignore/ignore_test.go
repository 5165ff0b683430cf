package ignore

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMatcher(t *testing.T) {
	root := t.TempDir()
	write := func(path, content string) {
		full := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".sourceignore", "# drafts stay out\ndrafts/\n")
	write("apps/.sourceignore", "*.md\n!keep.md\n")

	custom := "*.yaml\n!apps/keep.yaml\n"
	tests := []struct {
		name     string
		spec     *string
		path     string
		isDir    bool
		excluded bool
	}{
		{"git metadata", nil, ".git", true, true},
		{"git metadata even with spec.ignore", &custom, ".git", true, true},
		{"manifest", nil, "apps/deploy.yaml", false, false},
		{"default: CI config", nil, ".github", true, true},
		{"default: image", nil, "docs/logo.png", false, true},
		{"default: nested sops config", nil, "apps/.sops.yaml", false, true},
		{"spec.ignore replaces defaults", &custom, "docs/logo.png", false, false},
		{"spec.ignore pattern", &custom, "apps/deploy.yaml", false, true},
		{"spec.ignore negation", &custom, "apps/keep.yaml", false, false},
		{"root .sourceignore", nil, "drafts", true, true},
		{"nested .sourceignore scoped to its folder", nil, "apps/readme.md", false, true},
		{"nested .sourceignore does not reach siblings", nil, "docs/readme.md", false, false},
		{"nested .sourceignore negation", nil, "apps/keep.md", false, false},
		{".sourceignore applies with spec.ignore too", &custom, "drafts", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(root, tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Excluded(tt.path, tt.isDir); got != tt.excluded {
				t.Errorf("Excluded(%q) = %v, want %v", tt.path, got, tt.excluded)
			}
		})
	}
}
