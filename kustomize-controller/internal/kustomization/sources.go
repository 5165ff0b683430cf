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

// sourceKinds are the kinds spec.sourceRef may name. Bucket joins by adding
// an entry: the steps and watches iterate this map.
var sourceKinds = map[string]func() source{
	sourcev1.GitRepositoryKind: func() source { return &sourcev1.GitRepository{} },
	sourcev1.OCIRepositoryKind: func() source { return &sourcev1.OCIRepository{} },
}

// +kubebuilder:rbac:groups=source.toolkit.fluxcd.io,resources=ocirepositories,verbs=get;list;watch

// originRevisionKey is the artifact metadata key holding the revision the
// artifact was built from (an OCI artifact's org.opencontainers.image.revision
// annotation, e.g. the Git commit `flux push artifact --revision` recorded).
const originRevisionKey = "org.opencontainers.image.revision"

// originRevision is the artifact's origin revision, "" when it has none
// (every GitRepository artifact): Flux's status.lastAppliedOriginRevision.
func originRevision(a meta.Artifact) string {
	return a.Metadata[originRevisionKey]
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

// historyMetadata is what status.history records of the artifact built, as
// Flux: its revision, and its origin revision when it has one.
func historyMetadata(a meta.Artifact) map[string]string {
	md := map[string]string{"revision": a.Revision}
	if origin := originRevision(a); origin != "" {
		md["originRevision"] = origin
	}
	return md
}
