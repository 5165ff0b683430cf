package helmchart

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	repo "helm.sh/helm/v4/pkg/repo/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/helmrepo"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// HTTPCharts opens HelmRepositories of type default: the index is the
// repository's stored artifact, parsed through the shared cache (once per
// index digest for all HelmCharts), and charts are downloaded with the
// repository's credentials.
type HTTPCharts struct {
	Client  client.Reader
	Storage *storage.Storage
	Indexes *helmindex.Cache
	// MaxIndexSize is --helm-index-max-size, for the index of a dependency
	// repository no HelmRepository names (fetched, not stored).
	MaxIndexSize int64
}

// Open implements HTTPRepositories.
func (h *HTTPCharts) Open(ctx context.Context, r *sourcev1.HelmRepository) (ChartRepository, error) {
	opts, err := helmrepo.ClientOptions(ctx, h.Client, r)
	if err != nil {
		if errors.Is(err, helmrepo.ErrSecretNotFound) || errors.Is(err, helmrepo.ErrInvalidSecret) {
			return nil, mark(errAuth, err)
		}
		return nil, err
	}
	a := r.Status.Artifact
	if a == nil || !h.Storage.Exists(*a) {
		return nil, fmt.Errorf("HelmRepository '%s' has no index artifact yet", r.Name)
	}
	path := h.Storage.LocalPath(*a)
	index, err := h.Indexes.Get(ctx, a.Digest, func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		return nil, fmt.Errorf("index of HelmRepository '%s': %w", r.Name, err)
	}
	return &httpRepository{url: r.Spec.URL, opts: opts, index: index}, nil
}

// OpenURL implements HTTPRepositories: the index is fetched anonymously,
// and shared through the cache by its digest.
func (h *HTTPCharts) OpenURL(ctx context.Context, url string) (ChartRepository, error) {
	data, err := helmrepo.FetchIndex(ctx, url, helmrepo.Options{}, h.MaxIndexSize)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	index, err := h.Indexes.Get(ctx, "sha256:"+hex.EncodeToString(sum[:]), func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	})
	if err != nil {
		return nil, err
	}
	return &httpRepository{url: url, index: index}, nil
}

type httpRepository struct {
	url   string
	opts  helmrepo.Options
	index *repo.IndexFile
}

func (h *httpRepository) Resolve(_ context.Context, name, versionRange string) (ChartVersion, error) {
	cv, err := helmindex.Latest(h.index, name, versionRange)
	if err != nil {
		if errors.Is(err, helmindex.ErrChartNotFound) || errors.Is(err, helmindex.ErrNoMatch) ||
			errors.Is(err, helmindex.ErrInvalidRange) {
			return ChartVersion{}, mark(ErrChartNotFound, err)
		}
		return ChartVersion{}, err
	}
	if len(cv.URLs) == 0 {
		return ChartVersion{}, fmt.Errorf("the index lists chart '%s' version '%s' without a URL", name, cv.Version)
	}
	url, err := helmrepo.ChartURL(h.url, cv.URLs[0])
	if err != nil {
		return ChartVersion{}, err
	}
	return ChartVersion{Name: cv.Name, Version: cv.Version, Ref: url}, nil
}

func (h *httpRepository) Download(ctx context.Context, cv ChartVersion, limit int64) ([]byte, error) {
	data, err := helmrepo.DownloadChart(ctx, cv.Ref, h.opts, limit)
	switch {
	case errors.Is(err, helmrepo.ErrTooLarge):
		return nil, mark(chartbuild.ErrTooLarge, err)
	case errors.Is(err, helmrepo.ErrUnauthorized):
		return nil, mark(errAuth, err)
	}
	return data, err
}
