package storage

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/fluxcd/pkg/apis/meta"
)

// Symlink points the file linkName in the directory of a at a, replacing
// an earlier link atomically, and returns the link's URL: a stable address
// of the object's latest artifact (Flux's status.url, e.g. a
// HelmRepository's index.yaml). The link is relative, so the artifact
// server follows it inside its root. GarbageCollect never removes links.
// Callers should hold Lock(a).
func (s *Storage) Symlink(a meta.Artifact, linkName string) (string, error) {
	objDir, file, err := s.objectDir(a)
	if err != nil {
		return "", fmt.Errorf("symlink: %w", err)
	}
	if err := checkComponent(linkName); err != nil || linkName == file {
		return "", fmt.Errorf("symlink %q: not a usable link name", linkName)
	}
	tmp := filepath.Join(objDir, tempPrefix+"link-"+linkName)
	_ = os.Remove(tmp)
	if err := os.Symlink(file, tmp); err != nil {
		return "", fmt.Errorf("symlink %s: %w", linkName, err)
	}
	if err := os.Rename(tmp, filepath.Join(objDir, linkName)); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("symlink %s: %w", linkName, err)
	}
	return s.URL(path.Join(path.Dir(a.Path), linkName)), nil
}
