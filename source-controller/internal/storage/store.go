package storage

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Store writes what r yields as the artifact a, as it is (a packaged Helm
// chart, an index), and fills in a's Digest, Size and LastUpdateTime. The
// write is atomic like Archive's: on failure the previously stored file at
// the same path is untouched. Callers should hold Lock(*a).
func (s *Storage) Store(a *meta.Artifact, r io.Reader) error {
	if a == nil {
		return errors.New("store: nil artifact")
	}
	objDir, file, err := s.objectDir(*a)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	digest, size, err := writeAtomic(filepath.Join(objDir, file), func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
	if err != nil {
		return fmt.Errorf("store %s: %w", a.Path, err)
	}
	a.Digest = digest
	a.Size = &size
	a.LastUpdateTime = metav1.Now()
	return nil
}
