package storage

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
)

// Storage manages artifacts under a root directory on local disk.
type Storage struct {
	root             string // absolute, cleaned
	advertisedAddr   string // host:port used to build artifact URLs
	retentionTTL     time.Duration
	retentionRecords int
	locks            lockTable
}

// New returns a Storage rooted at root. It creates root when missing and
// writes and removes a probe file, so that a read-only or mis-mounted volume
// fails at start-up instead of at the first reconcile.
func New(root, advertisedAddr string, retentionTTL time.Duration, retentionRecords int) (*Storage, error) {
	if root == "" {
		return nil, errors.New("storage root must not be empty")
	}
	if advertisedAddr == "" {
		return nil, errors.New("storage advertised address must not be empty")
	}
	if retentionTTL < 0 {
		return nil, fmt.Errorf("storage retention TTL must not be negative, got %s", retentionTTL)
	}
	if retentionRecords < 1 {
		return nil, fmt.Errorf("storage retention records must be at least 1 (the current artifact), got %d", retentionRecords)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("storage root %q: %w", root, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("storage root %q cannot be created: %w", abs, err)
	}
	probe, err := os.CreateTemp(abs, tempPrefix+"probe-*")
	if err != nil {
		return nil, fmt.Errorf("storage root %q is not writable: %w", abs, err)
	}
	probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		return nil, fmt.Errorf("storage root %q: cannot remove probe file: %w", abs, err)
	}
	return &Storage{
		root:             abs,
		advertisedAddr:   advertisedAddr,
		retentionTTL:     retentionTTL,
		retentionRecords: retentionRecords,
	}, nil
}

// Root returns the absolute storage root, e.g. to serve it over HTTP.
func (s *Storage) Root() string { return s.root }

// NewArtifact describes where the artifact of an object will live. It does
// not touch the disk; Archive fills in Digest, Size and LastUpdateTime.
func (s *Storage) NewArtifact(kind, namespace, name, revision, fileName string) (meta.Artifact, error) {
	kind = strings.ToLower(kind)
	for _, c := range []struct{ what, v string }{
		{"kind", kind}, {"namespace", namespace}, {"name", name}, {"file name", fileName},
	} {
		if err := checkComponent(c.v); err != nil {
			return meta.Artifact{}, fmt.Errorf("artifact %s: %w", c.what, err)
		}
	}
	p := path.Join(kind, namespace, name, fileName)
	return meta.Artifact{
		Path:     p,
		URL:      s.URL(p),
		Revision: revision,
	}, nil
}

// LocalPath returns the artifact's file on disk, or "" when a.Path is not of
// the form "<kind>/<namespace>/<name>/<file>" with safe components. Returning
// "" rather than a "cleaned" path means a forged status can never point the
// controller at some other file under (or outside) root.
func (s *Storage) LocalPath(a meta.Artifact) string {
	if checkArtifactPath(a.Path) != nil {
		return ""
	}
	return filepath.Join(s.root, filepath.FromSlash(a.Path))
}

// Exists reports whether the artifact's file is present as a regular file.
func (s *Storage) Exists(a meta.Artifact) bool {
	p := s.LocalPath(a)
	if p == "" {
		return false
	}
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}

// RemoveAll deletes an object's whole directory, e.g. when its finalizer
// runs. A missing directory is not an error.
func (s *Storage) RemoveAll(kind, namespace, name string) error {
	kind = strings.ToLower(kind)
	for _, c := range []string{kind, namespace, name} {
		if err := checkComponent(c); err != nil {
			return fmt.Errorf("remove artifacts of %s/%s/%s: %w", kind, namespace, name, err)
		}
	}
	dir := filepath.Join(s.root, kind, namespace, name)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove artifacts of %s/%s/%s: %w", kind, namespace, name, err)
	}
	return nil
}

// objectDir returns the absolute directory of the object owning a and the
// artifact's file name within it.
func (s *Storage) objectDir(a meta.Artifact) (dir, file string, err error) {
	if err := checkArtifactPath(a.Path); err != nil {
		return "", "", err
	}
	local := filepath.Join(s.root, filepath.FromSlash(a.Path))
	return filepath.Dir(local), filepath.Base(local), nil
}

// checkArtifactPath accepts exactly "<kind>/<namespace>/<name>/<file>", the
// only shape NewArtifact produces.
func checkArtifactPath(p string) error {
	parts := strings.Split(p, "/")
	if len(parts) != 4 {
		return fmt.Errorf("artifact path %q: want <kind>/<namespace>/<name>/<file>", p)
	}
	for _, c := range parts {
		if err := checkComponent(c); err != nil {
			return fmt.Errorf("artifact path %q: %w", p, err)
		}
	}
	return nil
}

// checkComponent rejects anything that could change which directory a path
// component lands in. A leading "." is reserved for our temp files.
func checkComponent(c string) error {
	switch {
	case c == "":
		return errors.New("empty path component")
	case strings.HasPrefix(c, "."):
		return fmt.Errorf("path component %q must not start with '.'", c)
	case strings.ContainsAny(c, "/\\\x00"):
		return fmt.Errorf("path component %q must not contain '/', '\\' or NUL", c)
	case strings.Contains(c, ".."):
		return fmt.Errorf("path component %q must not contain '..'", c)
	}
	return nil
}

// URL returns the address at which the artifact stored at path is served.
// It is computed, not stored, so that a changed --storage-adv-addr reaches
// every artifact's status on its next reconciliation.
func (s *Storage) URL(path string) string {
	return "http://" + s.advertisedAddr + "/" + path
}
