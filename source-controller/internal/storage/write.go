package storage

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// tempPrefix marks files that are still being written. Artifact file names
// cannot start with "." (see checkComponent), so a temp file can never be
// mistaken for an artifact, and GarbageCollect can find leftovers of a crash.
const tempPrefix = ".tide-tmp-"

// writeAtomic streams write's output into dest without ever exposing a
// partial file: it writes a temp file next to dest, fsyncs it and renames it
// over dest. It returns the "sha256:<hex>" digest and size of what was
// written. On any error the temp file is removed and dest is left as it was.
func writeAtomic(dest string, write func(w io.Writer) error) (digest string, size int64, err error) {
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("create artifact directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return "", 0, fmt.Errorf("create temp artifact: %w", err)
	}
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				tmp.Close()
			}
			os.Remove(tmp.Name())
		}
	}()

	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, h), 64<<10)
	if err = write(bw); err != nil {
		return "", 0, err
	}
	if err = bw.Flush(); err != nil {
		return "", 0, fmt.Errorf("write temp artifact: %w", err)
	}
	// CreateTemp uses 0o600; the artifact server may run as another user.
	if err = tmp.Chmod(0o644); err != nil {
		return "", 0, fmt.Errorf("chmod temp artifact: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("sync temp artifact: %w", err)
	}
	fi, err := tmp.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("stat temp artifact: %w", err)
	}
	closed = true
	if err = tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("close temp artifact: %w", err)
	}
	if err = os.Rename(tmp.Name(), dest); err != nil {
		return "", 0, fmt.Errorf("move artifact into place: %w", err)
	}
	syncDir(dir)
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), fi.Size(), nil
}

// syncDir makes the rename durable across a power loss. It is best effort:
// the artifact is already complete and visible, and some filesystems do not
// support fsync on directories.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
