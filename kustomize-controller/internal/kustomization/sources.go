package kustomization

import (
	"github.com/fluxcd/pkg/apis/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// source is what a Kustomization needs of a source object: its artifact.
type source interface {
	client.Object
	GetArtifact() *meta.Artifact
}

// sourceKinds are the kinds spec.sourceRef may name. OCIRepository and
// Bucket join by adding an entry: the steps and watches iterate this map.
var sourceKinds = map[string]func() source{
	sourcev1.GitRepositoryKind: func() source { return &sourcev1.GitRepository{} },
}

// sourceKey identifies a source in the index of Kustomizations by source.
func sourceKey(kind, namespace, name string) string {
	return kind + "/" + namespace + "/" + name
}

// sourceNamespace is spec.sourceRef.namespace, the Kustomization's own
// namespace when unset.
func sourceNamespace(obj *kustomizev1.Kustomization) string {
	if ns := obj.Spec.SourceRef.Namespace; ns != "" {
		return ns
	}
	return obj.Namespace
}
