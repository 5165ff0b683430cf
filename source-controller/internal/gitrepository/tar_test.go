package gitrepository

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
)

// tarFiles returns the regular files of a .tar.gz artifact: path -> content.
func tarFiles(t *testing.T, body []byte) map[string]string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			content, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name] = string(content)
		}
	}
}

// sameArtifact reports whether two artifacts are the same stored file.
func sameArtifact(a, b *meta.Artifact) bool {
	return a != nil && b != nil && a.Path == b.Path && a.Revision == b.Revision && a.Digest == b.Digest && a.URL == b.URL
}
