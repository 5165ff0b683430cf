package chartbuild

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
)

// Limits bound what a chart may weigh, as Flux's --helm-chart-max-size and
// --helm-chart-file-max-size do.
type Limits struct {
	// ChartSize is the largest chart archive accepted, in bytes.
	ChartSize int64
	// FileSize is the largest file of a chart folder accepted, in bytes.
	FileSize int64
}

// DefaultLimits are Flux's defaults: 10 MiB per archive, 5 MiB per file.
var DefaultLimits = Limits{ChartSize: 10 << 20, FileSize: 5 << 20}

// CleanPath turns a path given in a spec (maybe with a leading "./" or "/")
// into a slash path relative to the source root, refusing one that leaves it.
func CleanPath(p string) (string, error) {
	clean := strings.TrimPrefix(path.Clean(filepath.ToSlash(p)), "/")
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("path '%s' leaves the source", p)
	}
	if clean == "" {
		clean = "."
	}
	return clean, nil
}

// LoadFromSource loads the chart at chartPath inside workDir, the unpacked
// source artifact: a chart folder, or a packaged chart (.tgz) file.
func LoadFromSource(workDir, chartPath string, lim Limits) (*chart.Chart, error) {
	c, _, err := LoadSource(workDir, chartPath, lim)
	return c, err
}

// LoadSource is LoadFromSource also returning the archive's bytes when the
// path is a packaged chart (nil for a folder), so it can be kept as it is.
func LoadSource(workDir, chartPath string, lim Limits) (*chart.Chart, []byte, error) {
	rel, err := CleanPath(chartPath)
	if err != nil {
		return nil, nil, newError(ReasonChartReference, "invalid chart path: %w", err)
	}
	full := filepath.Join(workDir, filepath.FromSlash(rel))
	fi, err := os.Stat(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, newError(ReasonChartReference, "no chart at path '%s' in the source", rel)
	}
	if err != nil {
		return nil, nil, newError(ReasonChartReference, "chart path '%s': %w", rel, err)
	}
	if !fi.IsDir() {
		return loadArchiveFile(full, rel, lim)
	}
	if _, err := os.Stat(filepath.Join(full, "Chart.yaml")); err != nil {
		return nil, nil, newError(ReasonChartReference, "no Chart.yaml in '%s': the path must be a chart folder or a packaged chart", rel)
	}
	if err := checkFileSizes(full, lim.FileSize); err != nil {
		return nil, nil, newError(ReasonChartPackage, "chart '%s': %w", rel, err)
	}
	c, err := loader.LoadDir(full)
	if err != nil {
		return nil, nil, newError(ReasonChartPackage, "load chart '%s': %w", rel, err)
	}
	if err := c.Validate(); err != nil {
		return nil, nil, newError(ReasonChartReference, "chart '%s': %w", rel, err)
	}
	return c, nil, nil
}

func loadArchiveFile(full, rel string, lim Limits) (*chart.Chart, []byte, error) {
	f, err := os.Open(full)
	if err != nil {
		return nil, nil, newError(ReasonChartReference, "chart path '%s': %w", rel, err)
	}
	defer f.Close()
	data, err := ReadLimited(f, lim.ChartSize)
	if err != nil {
		return nil, nil, newError(ReasonChartPackage, "chart '%s': %w", rel, err)
	}
	c, err := LoadArchive(data)
	if err != nil {
		return nil, nil, newError(ReasonChartPackage, "chart '%s': %w", rel, err)
	}
	return c, data, nil
}

// LoadArchive loads and validates a packaged chart.
func LoadArchive(data []byte) (*chart.Chart, error) {
	c, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a valid chart archive: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("not a valid chart: %w", err)
	}
	return c, nil
}

// ErrTooLarge is returned by ReadLimited past its limit.
var ErrTooLarge = errors.New("too large")

// ReadLimited reads r whole, failing once more than limit bytes came
// (limit <= 0 means no limit).
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	if limit <= 0 {
		return io.ReadAll(r)
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: over the %d bytes --helm-chart-max-size allows", ErrTooLarge, limit)
	}
	return data, nil
}

// checkFileSizes refuses a chart folder holding a file over limit bytes
// before anything is read into memory.
func checkFileSizes(dir string, limit int64) error {
	if limit <= 0 {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Size() > limit {
			rel, _ := filepath.Rel(dir, p)
			return fmt.Errorf("file '%s' is %d bytes, over the %d bytes --helm-chart-file-max-size allows",
				filepath.ToSlash(rel), fi.Size(), limit)
		}
		return nil
	})
}
