package helmchart

import (
	"context"

	"github.com/fluxcd/pkg/runtime/conditions"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// Reasons of a source that cannot be used yet, as Flux writes them.
const (
	sourceUnavailableReason = "SourceUnavailable"
	noSourceArtifactReason  = "NoSourceArtifact"
)

// getSource reads spec.sourceRef and its artifact. A source that does not
// exist or has no artifact yet makes the HelmChart wait: it is retried
// after --requeue-dependency, and at once when the source gets one.
func (r *Reconciler) getSource(ctx context.Context, s *scope) error {
	ref := s.obj.Spec.SourceRef
	key := types.NamespacedName{Namespace: s.obj.Namespace, Name: ref.Name}
	var src client.Object
	switch ref.Kind {
	case sourcev1.GitRepositoryKind:
		s.gitSource = &sourcev1.GitRepository{}
		src = s.gitSource
	case sourcev1.HelmRepositoryKind:
		s.helmRepo = &sourcev1.HelmRepository{}
		src = s.helmRepo
	default:
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Stall("UnsupportedSourceKind",
			"spec.sourceRef.kind '%s' is not a source a HelmChart can use: use GitRepository or HelmRepository", ref.Kind))
	}
	err := r.Get(ctx, key, src)
	switch {
	case apierrors.IsNotFound(err):
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Wait(r.DependencyRequeue, sourceUnavailableReason,
			"%s '%s' does not exist: create it, or fix spec.sourceRef", ref.Kind, ref.Name))
	case err != nil:
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Retry(sourceUnavailableReason, err))
	}
	if s.helmRepo != nil && s.helmRepo.GetType() == sourcev1.HelmRepositoryTypeOCI {
		return nil // a static holder of URL and credentials: no artifact
	}
	if s.gitSource != nil {
		s.sourceArtifact = s.gitSource.Status.Artifact
	} else {
		s.sourceArtifact = s.helmRepo.Status.Artifact
	}
	if s.sourceArtifact == nil || !r.Storage.Exists(*s.sourceArtifact) {
		return failed(s.obj, sourcev1.FetchFailedCondition, skeleton.Wait(r.DependencyRequeue, noSourceArtifactReason,
			"no artifact available for %s source '%s' yet", ref.Kind, ref.Name))
	}
	conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
	return nil
}
