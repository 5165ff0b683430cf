package setters

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Skipped is a file that carries a marker but was left untouched, and why.
type Skipped struct {
	Path   string
	Reason string
}

// Report is what UpdateDir saw besides the changes it made.
type Report struct {
	// Skipped are the files left untouched although they carry a marker.
	Skipped []Skipped
	// Markers maps the "namespace:name" of every policy a marker names
	// (given to UpdateDir or not) to the files naming it.
	Markers map[string][]string
}

func (r *Report) marker(setter, file string) {
	if r.Markers == nil {
		r.Markers = map[string][]string{}
	}
	p := PolicyOf(setter)
	files := r.Markers[p]
	if len(files) == 0 || files[len(files)-1] != file {
		r.Markers[p] = append(files, file)
	}
}

// UpdateDir rewrites the marked values of every YAML file under root (Flux's
// choice of files: *.yaml, *.yml and Kustomization containing Token) and
// writes back the files that changed, and only those. Files that do not parse,
// or whose marked values cannot be rewritten safely, are left untouched and
// reported as skipped; the others are still updated. Symlinks are not
// followed, so nothing outside root is read or written. Paths are relative
// to root, with forward slashes.
func UpdateDir(root string, policies Policies) (res Result, report Report, err error) {
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, walkErr error) error {
		if walkErr != nil {
			return walkErr
		}
		if d.IsDir() {
			if d.Name() == ".git" && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !candidate(d.Name()) {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		content, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read %s: %w", rel, err)
		}
		if !bytes.Contains(content, []byte(Token)) {
			return nil
		}
		updated, changes, markers, err := update(content, policies)
		if err != nil {
			report.Skipped = append(report.Skipped, Skipped{Path: rel, Reason: err.Error()})
			return nil
		}
		for _, m := range markers {
			report.marker(m, rel)
		}
		if len(changes) == 0 {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, updated, info.Mode().Perm()); err != nil {
			return fmt.Errorf("write %s: %w", rel, err)
		}
		for id, cs := range changes {
			for _, c := range cs {
				res.add(rel, id, c)
			}
		}
		return nil
	})
	return res, report, err
}

func candidate(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") || name == "Kustomization"
}
