package build

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// generateKustomization returns the kustomization Flux generates for a
// folder without one: every .yaml or .yml file below dir that holds a
// Kubernetes object is a resource, except that a subfolder with its own
// kustomization file is listed as one resource and not entered. Hidden
// folders are skipped, and so are YAML files that are not Kubernetes objects
// (CI configuration, Helm values and the like).
func generateKustomization(fsys *confinedFS, dir string) (*kustypes.Kustomization, error) {
	g := &generator{fsys: fsys, top: dir, seen: map[string]bool{}}
	if err := g.scan(dir); err != nil {
		return nil, err
	}
	return &kustypes.Kustomization{
		TypeMeta: kustypes.TypeMeta{
			APIVersion: kustypes.KustomizationVersion,
			Kind:       kustypes.KustomizationKind,
		},
		Resources: g.resources,
	}, nil
}

// generator collects the resources of a generated kustomization.
type generator struct {
	fsys      *confinedFS
	top       string
	seen      map[string]bool // resolved directories scanned, against symlink loops
	resources []string
}

func (g *generator) scan(dir string) error {
	real, err := g.fsys.resolve(dir)
	if err != nil {
		return err
	}
	if g.seen[real] {
		return nil
	}
	g.seen[real] = true
	names, err := g.fsys.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, name := range names {
		p := filepath.Join(dir, name)
		if g.fsys.IsDir(p) {
			if strings.HasPrefix(name, ".") {
				continue
			}
			if kustomizationFile(g.fsys, p) != "" {
				g.add(p)
				continue
			}
			if err := g.scan(p); err != nil {
				return err
			}
			continue
		}
		if ext := filepath.Ext(name); ext != ".yaml" && ext != ".yml" {
			continue
		}
		data, err := g.fsys.ReadFile(p)
		if err != nil {
			return err
		}
		ok, err := holdsObjects(data)
		if err != nil {
			return fmt.Errorf("'%s' is not valid YAML: %w", p, err)
		}
		if ok {
			g.add(p)
		}
	}
	return nil
}

func (g *generator) add(p string) {
	rel, err := filepath.Rel(g.top, p)
	if err != nil {
		rel = p
	}
	g.resources = append(g.resources, filepath.ToSlash(rel))
}

// holdsObjects reports whether a YAML file holds at least one document with
// an apiVersion and a kind. It fails only on YAML that does not parse.
func holdsObjects(data []byte) (bool, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	found := false
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return found, nil
		}
		if err != nil {
			return false, err
		}
		var v any
		if err := yaml.Unmarshal(doc, &v); err != nil {
			return false, err
		}
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		apiVersion, _ := m["apiVersion"].(string)
		kind, _ := m["kind"].(string)
		if apiVersion != "" && kind != "" {
			found = true
		}
	}
}
