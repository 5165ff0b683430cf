package gitrepository

import (
	"context"
	"fmt"

	"github.com/fluxcd/pkg/runtime/conditions"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// resolveIncludes finds the current artifact of every included
// GitRepository, then decides whether the stored artifact is up to date,
// and whether its signature must be verified again.
// An include without an artifact makes the object wait: it is retried after
// --requeue-dependency, and at once when the included object gets one.
func (r *Reconciler) resolveIncludes(ctx context.Context, s *scope) error {
	s.includes = s.includes[:0]
	for _, inc := range s.obj.Spec.Include {
		dep := &sourcev1.GitRepository{}
		key := types.NamespacedName{Namespace: s.obj.Namespace, Name: inc.GitRepositoryRef.Name}
		err := r.Get(ctx, key, dep)
		switch {
		case apierrors.IsNotFound(err):
			return failed(s.obj, sourcev1.IncludeUnavailableCondition, skeleton.Wait(r.DependencyRequeue,
				"NotFound", "included GitRepository '%s' does not exist: create it, or remove it from spec.include", key.Name))
		case err != nil:
			return failed(s.obj, sourcev1.IncludeUnavailableCondition, skeleton.Retry("IncludeUnavailable", err))
		case dep.Status.Artifact == nil:
			return failed(s.obj, sourcev1.IncludeUnavailableCondition, skeleton.Wait(r.DependencyRequeue,
				"NoArtifact", "included GitRepository '%s' has no artifact yet", key.Name))
		}
		if !r.Storage.Exists(*dep.Status.Artifact) {
			return failed(s.obj, sourcev1.IncludeUnavailableCondition, skeleton.Wait(r.DependencyRequeue,
				"NoArtifact", "artifact of included GitRepository '%s' is not in storage yet", key.Name))
		}
		s.includes = append(s.includes, included{spec: inc, artifact: *dep.Status.Artifact})
	}
	conditions.Delete(s.obj, sourcev1.IncludeUnavailableCondition)
	s.upToDate = artifactUpToDate(s.obj, s.resolved.Revision, s.includes)
	s.reverify = s.upToDate && !verificationCurrent(s.obj, s.keysFingerprint)
	if !s.upToDate && s.obj.Status.Artifact != nil && !conditions.Has(s.obj, sourcev1.ArtifactOutdatedCondition) {
		conditions.MarkTrue(s.obj, sourcev1.ArtifactOutdatedCondition, "NewSpec",
			"%s", fmt.Sprintf("the spec or an included artifact changed since revision '%s' was stored",
				s.obj.Status.Artifact.Revision))
	}
	return nil
}
