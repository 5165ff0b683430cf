package helmrelease

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/clusterkit/inventory"
	"github.com/tidegitops/tide/helm-controller/internal/release"
)

// recordInventory writes status.inventory as Flux's helm-controller does
// after Helm stored a release (install, upgrade, rollback): the objects of
// the latest stored release's manifest, hooks left out, in manifest order,
// namespaced objects without a namespace given the release's, then the
// CRDs of the chart's crds/ folder; ids in Flux's format. A manifest that
// cannot be read leaves the inventory as it was and says so in a warning
// event (InventoryBuildFailed), as in Flux; so does a kind whose scope is
// unknown (NamespaceCheckSkipped), whose entry then has no namespace.
func (r *Reconciler) recordInventory(s *scope) error {
	rel, err := release.Last(s.cfg, s.target.Name)
	if errors.Is(err, release.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var mapper meta.RESTMapper
	if s.cfg.RESTClientGetter != nil {
		if mapper, err = s.cfg.RESTClientGetter.ToRESTMapper(); err != nil {
			return err
		}
	}
	inv, warnings, err := inventoryOf(rel, mapper)
	if err != nil {
		r.event(s.obj, nil, true, helmv2.InventoryBuildFailedReason,
			fmt.Sprintf("failed to build inventory for %s/%s: %s", s.obj.Namespace, s.obj.Name, err))
		return nil
	}
	if len(warnings) > 0 {
		r.event(s.obj, nil, true, namespaceCheckSkippedReason, strings.Join(warnings, "; "))
	}
	s.obj.Status.Inventory = inv
	return nil
}

// namespaceCheckSkippedReason: the scope of a kind of the manifest could
// not be found, so its inventory entry may lack the namespace (Flux's).
const namespaceCheckSkippedReason = "NamespaceCheckSkipped"

// inventoryOf lists the objects of rel (see recordInventory).
func inventoryOf(rel *releasev1.Release, mapper meta.RESTMapper) (*helmv2.ResourceInventory, []string, error) {
	objs, err := readObjects(rel.Manifest)
	if err != nil {
		return nil, nil, err
	}
	inv := &helmv2.ResourceInventory{Entries: []helmv2.ResourceRef{}}
	namespaced := map[schema.GroupKind]bool{}
	var warnings []string
	for _, obj := range objs {
		if _, hook := obj.GetAnnotations()[releasev1.HookAnnotation]; hook {
			continue
		}
		if obj.GetNamespace() == "" {
			gk := obj.GroupVersionKind().GroupKind()
			is, known := namespaced[gk]
			if !known {
				is, err = isNamespaced(mapper, obj.GroupVersionKind())
				if err != nil {
					warnings = append(warnings, fmt.Sprintf("failed to determine if %s is namespace scoped, skipping namespace: %s", gk.Kind, err))
				} else {
					namespaced[gk] = is
				}
			}
			if is {
				obj.SetNamespace(rel.Namespace)
			}
		}
		inv.Entries = append(inv.Entries, entryOf(obj))
	}
	crds, err := crdObjects(rel.Chart)
	if err != nil {
		return nil, nil, err
	}
	for _, obj := range crds {
		inv.Entries = append(inv.Entries, entryOf(obj))
	}
	return inv, warnings, nil
}

func entryOf(obj *unstructured.Unstructured) helmv2.ResourceRef {
	ref := inventory.RefOf(obj)
	return helmv2.ResourceRef{ID: ref.ID(), Version: ref.Version}
}

func isNamespaced(mapper meta.RESTMapper, gvk schema.GroupVersionKind) (bool, error) {
	if mapper == nil {
		return false, errors.New("no REST mapper")
	}
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return false, err
	}
	return m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// crdObjects are the CRDs of the chart's crds/ folder (and its
// dependencies'), as Helm reads them.
func crdObjects(ch *chart.Chart) ([]*unstructured.Unstructured, error) {
	if ch == nil {
		return nil, nil
	}
	var out []*unstructured.Unstructured
	for _, crd := range ch.CRDObjects() {
		objs, err := readObjects(string(crd.File.Data))
		if err != nil {
			return nil, fmt.Errorf("CRD %s: %w", crd.Name, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

// readObjects reads the objects of a multi-document YAML stream, in order,
// skipping empty documents.
func readObjects(manifest string) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewBufferString(manifest), 4096)
	var out []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		err := dec.Decode(&obj.Object)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(obj.Object) == 0 {
			continue
		}
		if obj.GetKind() == "" || obj.GetName() == "" {
			return nil, fmt.Errorf("object without kind or name in the manifest")
		}
		out = append(out, obj)
	}
}
