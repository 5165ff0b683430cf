package helmchart

import (
	"context"
	"fmt"
	"strings"
	"time"

	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
)

// anonymousTimeout bounds the requests to a dependency repository no
// HelmRepository names, as Flux bounds them.
const anonymousTimeout = 60 * time.Second

// dependencyRepositories fetches the repository dependencies of a chart
// from a Git source. As in Flux, a HelmRepository of the HelmChart's
// namespace whose URL is the dependency's repository lends its index and
// credentials; without one the repository is read anonymously.
func (r *Reconciler) dependencyRepositories(namespace string) chartbuild.Repositories {
	return namespaceRepositories{r: r, namespace: namespace}
}

type namespaceRepositories struct {
	r         *Reconciler
	namespace string
}

func (d namespaceRepositories) Chart(ctx context.Context, repoURL, name, versionRange string) (*chartv2.Chart, error) {
	if strings.HasPrefix(repoURL, "@") || strings.HasPrefix(repoURL, "alias:") {
		return nil, fmt.Errorf("repository '%s': named repositories are not supported, give the repository's URL", repoURL)
	}
	repo, err := d.r.repositoryForURL(ctx, d.namespace, repoURL)
	if err != nil {
		return nil, err
	}
	timeout := anonymousTimeout
	if repo != nil {
		timeout = repo.GetTimeout()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var cr ChartRepository
	switch {
	case repo != nil && !repo.IsOCI() && repo.Status.Artifact == nil:
		return nil, fmt.Errorf("HelmRepository '%s' for '%s' has no index yet", repo.Name, repoURL)
	case repo != nil:
		cr, err = d.r.openRepository(ctx, repo)
	case strings.HasPrefix(repoURL, "oci://"):
		cr, err = d.r.openOCI(ctx, repoURL, nil)
	case d.r.HTTP != nil:
		cr, err = d.r.HTTP.OpenURL(ctx, repoURL)
	default:
		err = fmt.Errorf("no client for chart repository '%s'", repoURL)
	}
	if err != nil {
		return nil, err
	}
	cv, err := cr.Resolve(ctx, name, versionRange)
	if err != nil {
		return nil, fmt.Errorf("resolve '%s' version '%s' in '%s': %w", name, versionRange, repoURL, err)
	}
	data, err := cr.Download(ctx, cv, d.r.Limits.ChartSize)
	if err != nil {
		return nil, fmt.Errorf("download '%s' version '%s' from '%s': %w", name, cv.Version, repoURL, err)
	}
	c, err := chartbuild.LoadArchive(data)
	if err != nil {
		return nil, fmt.Errorf("'%s' version '%s' from '%s': %w", name, cv.Version, repoURL, err)
	}
	return c, nil
}

// repositoryForURL returns the HelmRepository of the namespace whose URL is
// url (trailing slashes aside), or nil.
func (r *Reconciler) repositoryForURL(ctx context.Context, namespace, url string) (*sourcev1.HelmRepository, error) {
	var list sourcev1.HelmRepositoryList
	if err := r.List(ctx, &list, client.InNamespace(namespace),
		client.MatchingFields{repositoryURLIndex: normalizeURL(url)}); err != nil {
		return nil, fmt.Errorf("list HelmRepositories: %w", err)
	}
	if len(list.Items) == 0 {
		return nil, nil
	}
	return &list.Items[0], nil
}

// normalizeURL makes equal repository URLs equal strings.
func normalizeURL(url string) string {
	return strings.TrimRight(strings.TrimSpace(url), "/")
}
