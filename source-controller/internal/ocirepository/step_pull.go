package ocirepository

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"

	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/skeleton"
)

// pull fetches the manifest and the layer spec.layerSelector picks (the
// first layer of its mediaType, else the first layer, as Flux), unless the
// stored artifact is current. With operation extract the layer is unpacked
// safely into a temporary folder; with copy it is kept as it is.
func (r *Reconciler) pull(ctx context.Context, s *scope) error {
	if s.upToDate {
		return nil
	}
	dir, err := os.MkdirTemp("", "ocirepository-")
	if err != nil {
		return failed(s.obj, sourcev1.StorageOperationFailedCondition,
			skeleton.Retry(sourcev1.DirCreationFailedReason, err))
	}
	s.workDir = dir
	ctx, cancel := context.WithTimeout(ctx, s.obj.GetTimeout())
	defer cancel()
	if err := r.pullLayer(ctx, s); err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, err)
	}
	conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
	return nil
}

func (r *Reconciler) pullLayer(ctx context.Context, s *scope) error {
	a, err := s.client.Get(ctx, s.ref)
	if err != nil {
		return r.registryError(s, err, "pull artifact from '"+s.obj.Spec.URL+"'")
	}
	if s.tag != "" && a.Digest != s.digest() {
		// The tag moved since it was resolved: store what was pulled.
		s.revision = s.tag + "@" + a.Digest
	}
	s.annotations = a.Manifest.Annotations
	layer, err := a.Layer(s.obj.GetLayerMediaType())
	if err != nil {
		return r.registryError(s, err, "select layer")
	}
	rc, err := s.client.OpenLayer(ctx, a, layer, r.maxLayerSize())
	if err != nil {
		return r.registryError(s, err, "pull layer")
	}
	defer rc.Close()
	switch s.obj.GetLayerOperation() {
	case sourcev1.OCILayerCopy:
		s.layerFile = filepath.Join(s.workDir, "layer.tgz")
		err = copyLayer(rc, s.layerFile)
	default:
		err = extractLayer(rc, filepath.Join(s.workDir, "content"), r.maxLayerSize())
	}
	if err != nil {
		return r.registryError(s, err, "extract layer contents from artifact")
	}
	return nil
}

// copyLayer writes the layer's compressed bytes to path, reading to the end
// so that the digest is checked.
func copyLayer(rc io.Reader, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return digestError(err)
	}
	return f.Close()
}

// extractLayer unpacks the layer into dest, refusing entries that leave it,
// then reads the stream to its end, which checks the digest. Symlinks are
// then removed: Flux's untar skips them, so an artifact holds none.
func extractLayer(rc io.Reader, dest string, maxSize int64) error {
	if err := ociartifact.Extract(rc, dest, maxSize); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return digestError(err)
	}
	return removeSymlinks(dest)
}

// digestError tells a layer whose bytes do not match its digest from a
// download that failed on the way (retried) or went over the size limit.
func digestError(err error) error {
	var netErr net.Error
	if errors.Is(err, ociartifact.ErrTooLarge) || errors.As(err, &netErr) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return invalidLayer("the layer does not match its digest (" + err.Error() + "): push the artifact again")
}

// invalidLayer is a layer that cannot be used as it is in the registry.
type invalidLayer string

func (e invalidLayer) Error() string        { return string(e) }
func (e invalidLayer) Is(target error) bool { return target == ociartifact.ErrInvalidArchive }

func removeSymlinks(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return os.Remove(path)
		}
		return nil
	})
}
