package setters

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Skipped is a file that carries a marker but was left untouched, and why.
type Skipped struct {
	Path   string
	Reason string
}

// Report is what an update saw besides the changes it made.
type Report struct {
	// Skipped are the files left untouched although they carry a marker.
	Skipped []Skipped
	// Markers maps the "namespace:name" of every policy a marker names
	// (given to the update or not) to the files naming it.
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

// UpdateFS rewrites the marked values of every YAML file under root in fsys
// (Flux's choice of files: *.yaml, *.yml and Kustomization containing
// Token) and returns the new content of the files that changed, by their
// path in fsys. The Result's paths are relative to root, as Flux's. Files
// that do not parse, or whose marked values cannot be rewritten safely, are
// left out and reported as skipped; the others are still updated. Symlinks
// are not followed, and folders named .git are not entered.
func UpdateFS(fsys fs.FS, root string, policies Policies) (res Result, report Report, changed map[string][]byte, err error) {
	root = path.Clean(root)
	err = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, walkErr error) error {
		if walkErr != nil {
			return walkErr
		}
		if d.IsDir() {
			if d.Name() == ".git" && p != root {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !candidate(d.Name()) {
			return nil
		}
		rel := strings.TrimPrefix(p, root+"/")
		if root == "." {
			rel = p
		}
		content, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
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
		if changed == nil {
			changed = map[string][]byte{}
		}
		changed[p] = updated
		for id, cs := range changes {
			for _, c := range cs {
				res.add(rel, id, c)
			}
		}
		return nil
	})
	return res, report, changed, err
}

// UpdateDir is UpdateFS on a folder of the disk: it writes back the files
// that changed, and only those, keeping their permissions.
func UpdateDir(root string, policies Policies) (Result, Report, error) {
	res, report, changed, err := UpdateFS(os.DirFS(root), ".", policies)
	if err != nil {
		return res, report, err
	}
	for p, content := range changed {
		full := filepath.Join(root, filepath.FromSlash(p))
		info, err := os.Lstat(full)
		if err != nil {
			return res, report, err
		}
		if err := os.WriteFile(full, content, info.Mode().Perm()); err != nil {
			return res, report, fmt.Errorf("write %s: %w", p, err)
		}
	}
	return res, report, nil
}

func candidate(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") || name == "Kustomization"
}
