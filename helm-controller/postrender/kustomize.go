package postrender

import (
	"fmt"
	"sync"

	"sigs.k8s.io/kustomize/api/krusty"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/yaml"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// kustomizeMu serialises kustomize runs: the OpenAPI schema kustomize uses
// for strategic merge patches is process-wide state in kyaml, and the tide
// CLI may run a Kustomization's build in the same process.
var kustomizeMu sync.Mutex

// kustomize runs one spec.postRenderers[].kustomize entry: a kustomization
// whose only resource is the rendered manifests, with the entry's patches
// (strategic merge or JSON 6902, each with its target) and images.
type kustomize struct {
	index int
	spec  helmv2.Kustomize
}

func (k *kustomize) name() string {
	return fmt.Sprintf("spec.postRenderers[%d].kustomize", k.index)
}

// The in-memory files of the kustomization.
const (
	renderedFile      = "rendered.yaml"
	kustomizationFile = "kustomization.yaml"
)

func (k *kustomize) run(manifests []byte) ([]byte, error) {
	kz := kustypes.Kustomization{
		TypeMeta:  kustypes.TypeMeta{APIVersion: kustypes.KustomizationVersion, Kind: kustypes.KustomizationKind},
		Resources: []string{renderedFile},
		Images:    images(k.spec.Images),
		Patches:   patches(k.spec.Patches),
	}
	doc, err := yaml.Marshal(kz)
	if err != nil {
		return nil, err
	}
	fs := filesys.MakeFsInMemory()
	if err := fs.WriteFile(renderedFile, manifests); err != nil {
		return nil, err
	}
	if err := fs.WriteFile(kustomizationFile, doc); err != nil {
		return nil, err
	}
	opts := krusty.MakeDefaultOptions()
	opts.PluginConfig = kustypes.DisabledPluginConfig()
	// Helm orders the objects itself (by kind, for install and delete).
	opts.Reorder = krusty.ReorderOptionNone
	kustomizeMu.Lock()
	res, err := krusty.MakeKustomizer(opts).Run(fs, ".")
	kustomizeMu.Unlock()
	if err != nil {
		return nil, err
	}
	return res.AsYaml()
}

func images(in []kustomizev1.Image) []kustypes.Image {
	var out []kustypes.Image
	for _, i := range in {
		out = append(out, kustypes.Image{Name: i.Name, NewName: i.NewName, NewTag: i.NewTag, Digest: i.Digest})
	}
	return out
}

func patches(in []kustomizev1.Patch) []kustypes.Patch {
	var out []kustypes.Patch
	for _, p := range in {
		patch := kustypes.Patch{Patch: p.Patch}
		if t := p.Target; t != nil {
			patch.Target = &kustypes.Selector{
				ResId: resid.ResId{
					Gvk:       resid.Gvk{Group: t.Group, Version: t.Version, Kind: t.Kind},
					Name:      t.Name,
					Namespace: t.Namespace,
				},
				AnnotationSelector: t.AnnotationSelector,
				LabelSelector:      t.LabelSelector,
			}
		}
		out = append(out, patch)
	}
	return out
}
