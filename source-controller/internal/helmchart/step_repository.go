package helmchart

import (
	"context"
	"errors"
	"fmt"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
)

// buildFromRepository resolves spec.chart and spec.version in the
// HelmRepository (its index, or the registry's tags) and pulls the chart,
// unless the stored artifact already is that version. The pulled archive is
// stored as it is, or repackaged with values files merged into it.
func (r *Reconciler) buildFromRepository(ctx context.Context, s *scope) error {
	obj, repo := s.obj, s.helmRepo
	if p := repo.GetProvider(); repo.IsOCI() && p != sourcev1.HelmProviderGeneric {
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Stall(sourcev1.InvalidProviderConfigurationReason,
			"HelmRepository '%s' has provider '%s': Tide does not log in to cloud registries with workload identity yet; "+
				"set provider 'generic' with a spec.secretRef, or reconcile this HelmChart with Flux's source-controller", repo.Name, p))
	}
	ctx, cancel := context.WithTimeout(ctx, repo.GetTimeout())
	defer cancel()
	cr, err := r.openRepository(ctx, repo)
	if err != nil {
		return r.repositoryFailed(obj, repo, err)
	}
	cv, err := cr.Resolve(ctx, obj.Spec.Chart, obj.GetVersion())
	if err != nil {
		return r.repositoryFailed(obj, repo, err)
	}
	files := chartbuild.EffectiveValuesFiles(obj.Spec.ValuesFiles)
	s.name = cv.Name
	s.version = cv.Version
	if len(files) > 0 {
		if s.version, err = chartbuild.VersionWithMetadata(cv.Version, versionMetadata(obj, nil, false)); err != nil {
			return buildFailed(obj, err, "")
		}
	}
	s.packaged = len(files) > 0
	if canReuse(obj, s.name, s.version) {
		s.reuseStored()
		return nil
	}
	data, err := cr.Download(ctx, cv, r.Limits.ChartSize)
	if err != nil {
		return r.repositoryFailed(obj, repo, err)
	}
	c, err := chartbuild.LoadArchive(data)
	if err != nil {
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Retryf(sourcev1.ChartPullErrorReason,
			"chart '%s' version '%s' from %s: %w: the repository serves a broken chart; publish it again, or pin spec.version to another version",
			cv.Name, cv.Version, repo.Spec.URL, err))
	}
	if len(files) == 0 {
		s.chartData = data
		return nil
	}
	values, used, err := chartbuild.MergeValuesFiles(chartbuild.ChartFS{Chart: c}, files, obj.Spec.IgnoreMissingValuesFiles)
	if err != nil {
		return buildFailed(obj, err, fmt.Sprintf("paths are relative to the root of chart '%s' version '%s'", cv.Name, cv.Version))
	}
	if err := chartbuild.SetValues(c, values); err != nil {
		return buildFailed(obj, err, "")
	}
	s.valuesFiles = used
	c.Metadata.Version = s.version
	_, out, err := s.workFolders()
	if err != nil {
		return failed(obj, sourcev1.StorageOperationFailedCondition, skeleton.Retryf(sourcev1.DirCreationFailedReason,
			"create a working folder: %w", err))
	}
	if s.chartFile, err = chartbuild.Package(c, out); err != nil {
		return buildFailed(obj, err, "")
	}
	return nil
}

// openRepository returns the chart repository of a HelmRepository.
func (r *Reconciler) openRepository(ctx context.Context, repo *sourcev1.HelmRepository) (ChartRepository, error) {
	if repo.IsOCI() {
		return r.openOCI(ctx, repo.Spec.URL, repo)
	}
	if r.HTTP == nil {
		return nil, errors.New("HTTP chart repositories are not available in this controller")
	}
	return r.HTTP.Open(ctx, repo)
}

// repositoryFailed turns a failure to resolve or pull a chart from a
// repository into what the user sees: no matching chart stalls (a new
// index or a spec change triggers a reconciliation), credentials that
// cannot be used wait for the interval, the rest is retried with backoff.
// The repository clients' errors already say what to do.
func (r *Reconciler) repositoryFailed(obj *sourcev1.HelmChart, repo *sourcev1.HelmRepository, err error) error {
	switch {
	case errors.Is(err, ErrChartNotFound):
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Stall(sourcev1.InvalidChartReferenceReason,
			"chart '%s' version '%s' in HelmRepository '%s': %s", obj.Spec.Chart, obj.GetVersion(), repo.Name, err.Error()))
	case errors.Is(err, errAuth):
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Wait(obj.GetRequeueAfter(), sourcev1.AuthenticationFailedReason,
			"HelmRepository '%s': %s", repo.Name, err.Error()))
	case errors.Is(err, chartbuild.ErrTooLarge):
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Retryf(sourcev1.ChartPullErrorReason,
			"chart '%s' from %s: %s: raise --helm-chart-max-size, or use a smaller chart", obj.Spec.Chart, repo.Spec.URL, err.Error()))
	default:
		return failed(obj, sourcev1.FetchFailedCondition, skeleton.Retryf(sourcev1.ChartPullErrorReason,
			"chart '%s' from HelmRepository '%s' (%s): %s: check that the repository is reachable and its credentials valid",
			obj.Spec.Chart, repo.Name, repo.Spec.URL, err.Error()))
	}
}
