package chartbuild

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"

	chart "helm.sh/helm/v4/pkg/chart/common"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"sigs.k8s.io/yaml"
)

const valuesFileName = "values.yaml"

// EffectiveValuesFiles returns spec.valuesFiles as Flux applies it: a list
// naming only the chart's own values.yaml changes nothing, so it counts as
// empty (no merge, no version metadata).
func EffectiveValuesFiles(files []string) []string {
	if len(files) == 1 && path.Clean(files[0]) == valuesFileName {
		return nil
	}
	return files
}

// MergeValuesFiles reads the values files from fsys in order and merges
// them: maps are merged key by key at every depth, and for anything else
// the later file wins. It returns the merged values and the files that
// took part (a missing file is skipped when ignoreMissing is set). Paths
// are relative to fsys's root; one leaving it is refused.
func MergeValuesFiles(fsys fs.FS, files []string, ignoreMissing bool) (map[string]any, []string, error) {
	merged := map[string]any{}
	used := make([]string, 0, len(files))
	for _, f := range files {
		rel, err := CleanPath(f)
		if err != nil {
			return nil, nil, newError(ReasonValuesFiles, "values file: %w", err)
		}
		data, err := fs.ReadFile(fsys, rel)
		if errors.Is(err, fs.ErrNotExist) {
			if ignoreMissing {
				continue
			}
			return nil, nil, newError(ReasonValuesFiles,
				"no values file found at path '%s': fix spec.valuesFiles, or set spec.ignoreMissingValuesFiles", f)
		}
		if err != nil {
			return nil, nil, newError(ReasonValuesFiles, "read values file '%s': %w", f, err)
		}
		values, err := loader.LoadValues(bytes.NewReader(data))
		if err != nil {
			return nil, nil, newError(ReasonValuesFiles, "values file '%s' is not valid YAML: %w", f, err)
		}
		merged = loader.MergeMaps(merged, values)
		used = append(used, f)
	}
	return merged, used, nil
}

// SetValues makes values the chart's default values: its values.yaml is
// replaced, not merged into, as Flux does.
func SetValues(c *chartv2.Chart, values map[string]any) error {
	data, err := yaml.Marshal(values)
	if err != nil {
		return newError(ReasonValuesFiles, "encode merged values: %w", err)
	}
	c.Values = values
	for _, f := range c.Raw {
		if f.Name == valuesFileName {
			f.Data = data
			return nil
		}
	}
	c.Raw = append(c.Raw, &chart.File{Name: valuesFileName, Data: data})
	return nil
}

// ChartFS reads the files of a loaded chart by their path in it, so values
// files can be taken from a chart pulled from a repository.
type ChartFS struct{ Chart *chartv2.Chart }

// ReadFile implements fs.ReadFileFS.
func (c ChartFS) ReadFile(name string) ([]byte, error) {
	for _, group := range [][]*chart.File{c.Chart.Raw, c.Chart.Files, c.Chart.Templates} {
		for _, f := range group {
			if f.Name == name {
				return f.Data, nil
			}
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// Open implements fs.FS; only ReadFile is meant to be used.
func (c ChartFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w: use ReadFile", fs.ErrInvalid)}
}
