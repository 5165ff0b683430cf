package helmchart

import (
	"context"
	"slices"
	"strconv"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
)

// build resolves the chart's name and version from the source and, unless
// the stored artifact already holds them, builds the packaged chart.
func (r *Reconciler) build(ctx context.Context, s *scope) error {
	s.lastSourceRevision = s.obj.Status.ObservedSourceArtifactRevision
	if a := s.sourceArtifact; a != nil {
		s.obj.Status.ObservedSourceArtifactRevision = a.Revision
	}
	var err error
	if s.gitSource != nil {
		err = r.buildFromGit(ctx, s)
	} else {
		err = r.buildFromRepository(ctx, s)
	}
	if err != nil {
		return err
	}
	conditions.Delete(s.obj, sourcev1.FetchFailedCondition)
	conditions.Delete(s.obj, sourcev1.BuildFailedCondition)
	return nil
}

// canReuse reports whether the stored artifact already is the chart name
// and version resolved, built by a successful run of the current
// generation (a new generation may change values files or the chart path
// without changing the version, so it always builds again, as in Flux).
func canReuse(obj *sourcev1.HelmChart, name, version string) bool {
	a := obj.Status.Artifact
	return a != nil && obj.Status.ObservedChartName == name && a.Revision == version &&
		obj.Status.ObservedGeneration == obj.Generation && conditions.IsReady(obj)
}

// versionMetadata is what Flux appends to the chart version after "+":
// with reconcileStrategy Revision, the first 12 hex digits of the source
// revision for a GitRepository (the revision itself for other sources,
// where Flux uses it whole); with values files, the generation, after a
// "." when both apply.
func versionMetadata(obj *sourcev1.HelmChart, source *meta.Artifact, fromGit bool) string {
	var md string
	if obj.GetReconcileStrategy() == sourcev1.ReconcileStrategyRevision && source != nil && fromGit {
		md = shortHash(source.Revision)
	}
	if len(chartbuild.EffectiveValuesFiles(obj.Spec.ValuesFiles)) > 0 {
		if md != "" {
			md += "."
		}
		md += strconv.FormatInt(obj.Generation, 10)
	}
	return md
}

// shortHash is the first 12 hex digits of a Git revision
// ("<ref>@sha1:<hex>", or a bare hash).
func shortHash(revision string) string {
	h := revision
	for i := len(revision) - 1; i >= 0; i-- {
		if revision[i] == ':' {
			h = revision[i+1:]
			break
		}
	}
	if len(h) > 12 {
		h = h[:12]
	}
	return h
}

// recordBuild writes what the stored artifact was built from.
func recordBuild(s *scope) {
	s.obj.Status.ObservedChartName = s.name
	s.obj.Status.ObservedValuesFiles = slices.Clone(s.valuesFiles)
}
