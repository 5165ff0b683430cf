package helmchart

import (
	"context"
	"fmt"
	"os"

	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	ctrl "sigs.k8s.io/controller-runtime"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
)

// buildFromGit builds the chart at spec.chart inside the GitRepository's
// artifact: a chart folder is packaged with its values files and missing
// dependencies; a packaged chart is repackaged only when values files or
// version metadata change it.
func (r *Reconciler) buildFromGit(ctx context.Context, s *scope) error {
	obj := s.obj
	// The same source revision and a successful run of this generation:
	// nothing the build reads can have changed.
	if a := obj.Status.Artifact; a != nil && s.lastSourceRevision == s.sourceArtifact.Revision &&
		canReuse(obj, obj.Status.ObservedChartName, a.Revision) {
		s.name, s.version = obj.Status.ObservedChartName, a.Revision
		s.reuseStored()
		return nil
	}
	work, out, err := s.workFolders()
	if err != nil {
		return failed(obj, sourcev1.StorageOperationFailedCondition, skeleton.Retryf(sourcev1.DirCreationFailedReason,
			"create a working folder: %w", err))
	}
	if err := r.Storage.CopyFromArtifact(*s.sourceArtifact, "", work); err != nil {
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Retryf(sourcev1.ReadOperationFailedReason,
			"unpack the artifact of GitRepository '%s': %w", s.gitSource.Name, err))
	}
	where := fmt.Sprintf("GitRepository '%s' at revision '%s'", s.gitSource.Name, s.sourceArtifact.Revision)
	c, archive, err := chartbuild.LoadSource(work, obj.Spec.Chart, r.Limits)
	if err != nil {
		hint := "fix the chart in " + where
		if e, ok := chartbuild.AsError(err); ok && e.Reason == chartbuild.ReasonChartReference {
			hint = "fix spec.chart, or push the chart to " + where
		}
		return buildFailed(obj, err, hint)
	}
	s.name = c.Name()
	s.version, err = chartbuild.VersionWithMetadata(c.Metadata.Version, versionMetadata(obj, s.sourceArtifact, true))
	if err != nil {
		return buildFailed(obj, err, "fix the version in the chart's Chart.yaml")
	}
	if canReuse(obj, s.name, s.version) {
		s.reuseStored()
		return nil
	}
	files := chartbuild.EffectiveValuesFiles(obj.Spec.ValuesFiles)
	if archive != nil && len(files) == 0 && s.version == c.Metadata.Version {
		s.chartData = archive // a packaged chart nothing changes is kept as it is
		return nil
	}
	c.Metadata.Version = s.version
	if len(files) > 0 {
		if s.valuesFiles, err = mergeSourceValues(obj, c, work, files, where); err != nil {
			return err
		}
	}
	if archive == nil { // a packaged chart carries its dependencies
		chartPath, _ := chartbuild.CleanPath(obj.Spec.Chart)
		s.dependencies, err = chartbuild.ResolveDependencies(ctx, c, work, chartPath, r.dependencyRepositories(obj.Namespace), r.Limits)
		if err != nil {
			return buildFailed(obj, err, "vendor the dependency in the chart's charts/ folder, fix its version or repository, "+
				"or create a HelmRepository for its repository URL in this namespace")
		}
		if s.dependencies > 0 {
			ctrl.LoggerFrom(ctx).Info("resolved chart dependencies", "count", s.dependencies)
		}
	}
	s.chartFile, err = chartbuild.Package(c, out)
	if err != nil {
		return buildFailed(obj, err, "")
	}
	s.packaged = true
	return nil
}

// mergeSourceValues merges the values files, paths relative to the root of
// the unpacked source, into c's values, and returns the files merged.
func mergeSourceValues(obj *sourcev1.HelmChart, c *chartv2.Chart, work string, files []string, where string) ([]string, error) {
	root, err := os.OpenRoot(work)
	if err != nil {
		return nil, failed(obj, sourcev1.StorageOperationFailedCondition, skeleton.Retry(sourcev1.ReadOperationFailedReason, err))
	}
	defer root.Close()
	values, used, err := chartbuild.MergeValuesFiles(root.FS(), files, obj.Spec.IgnoreMissingValuesFiles)
	if err != nil {
		return nil, buildFailed(obj, err, "paths are relative to the root of "+where)
	}
	if err := chartbuild.SetValues(c, values); err != nil {
		return nil, buildFailed(obj, err, "")
	}
	return used, nil
}
