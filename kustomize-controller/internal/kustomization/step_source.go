package kustomization

import (
	"context"
	"fmt"
	"slices"

	"github.com/fluxcd/pkg/apis/meta"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/skeleton"
)

// accessDeniedReason is Flux's reason for a refused cross-namespace reference.
const accessDeniedReason = "AccessDenied"

// resolveSource finds the source named by spec.sourceRef and its current
// artifact. Without an artifact there is nothing to build: the
// Kustomization waits, and the source watch wakes it when one appears.
func (r *Reconciler) resolveSource(ctx context.Context, s *scope) error {
	obj := s.obj
	ref := obj.Spec.SourceRef
	namespace := sourceNamespace(obj)
	if r.NoCrossNamespaceRefs && namespace != obj.Namespace {
		return skeleton.Stall(accessDeniedReason,
			"cross-namespace references are disabled on this controller (--no-cross-namespace-refs): "+
				"move %s into namespace '%s'", ref.String(), obj.Namespace)
	}
	newSource, ok := sourceKinds[ref.Kind]
	if !ok {
		return skeleton.Stall(kustomizev1.ArtifactFailedReason,
			"source kind '%s' is not supported: set spec.sourceRef.kind to one of %v", ref.Kind, supportedKinds())
	}
	src := newSource()
	if err := r.getSource(ctx, obj, src); err != nil {
		if apierrors.IsNotFound(err) {
			return skeleton.Wait(r.DependencyRequeue, kustomizev1.ArtifactFailedReason,
				"source '%s/%s/%s' not found: create it or correct spec.sourceRef", ref.Kind, namespace, ref.Name)
		}
		return err
	}
	artifact := src.GetArtifact()
	if artifact == nil || artifact.URL == "" {
		return skeleton.Wait(r.DependencyRequeue, kustomizev1.ArtifactFailedReason,
			"source '%s/%s/%s' has no artifact yet: see its Ready condition", ref.Kind, namespace, ref.Name)
	}
	s.artifact = *artifact
	obj.Status.LastAttemptedRevision = artifact.Revision
	return nil
}

func supportedKinds() []string {
	kinds := make([]string, 0, len(sourceKinds))
	for kind := range sourceKinds {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	return kinds
}

// currentRevision reads the source's artifact revision again, so that a long
// health check can notice that a newer revision is waiting.
func (r *Reconciler) currentRevision(ctx context.Context, obj *kustomizev1.Kustomization) (string, error) {
	a, err := r.currentArtifact(ctx, obj)
	if err != nil || a == nil {
		return "", err
	}
	return a.Revision, nil
}

// currentArtifact reads the source's artifact again; nil when it has none.
func (r *Reconciler) currentArtifact(ctx context.Context, obj *kustomizev1.Kustomization) (*meta.Artifact, error) {
	src := sourceKinds[obj.Spec.SourceRef.Kind]()
	if err := r.getSource(ctx, obj, src); err != nil {
		return nil, fmt.Errorf("read source: %w", err)
	}
	return src.GetArtifact(), nil
}

// getSource reads the source spec.sourceRef names into src: from the cache,
// or with the DirectSourceFetch gate from the API server.
func (r *Reconciler) getSource(ctx context.Context, obj *kustomizev1.Kustomization, src source) error {
	var reader client.Reader = r.Client
	if r.DirectSourceFetch {
		reader = r.APIReader
	}
	return reader.Get(ctx, types.NamespacedName{Namespace: sourceNamespace(obj), Name: obj.Spec.SourceRef.Name}, src)
}
