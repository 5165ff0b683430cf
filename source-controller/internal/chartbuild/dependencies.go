package chartbuild

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/Masterminds/semver/v3"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
)

// Repositories fetches the charts a chart depends on from chart
// repositories (HTTP or oci://).
type Repositories interface {
	// Chart returns the newest version of the named chart in the repository
	// at repoURL that satisfies versionRange, loaded.
	Chart(ctx context.Context, repoURL, name, versionRange string) (*chartv2.Chart, error)
}

// ResolveDependencies adds to c the dependencies its Chart.yaml (or
// Chart.lock, which wins, as it pins versions) declares but its charts/
// folder lacks: local ones ("file://" paths, relative to the chart folder
// chartPath inside workDir, which they may not leave) from the source, the
// others from repos. They are added in the order declared, so the package
// is deterministic. It returns how many it added.
func ResolveDependencies(ctx context.Context, c *chartv2.Chart, workDir, chartPath string, repos Repositories, lim Limits) (int, error) {
	reqs := c.Metadata.Dependencies
	if c.Lock != nil {
		reqs = c.Lock.Dependencies
	}
	present := map[string]bool{}
	for _, dep := range c.Dependencies() {
		present[dep.Name()] = true
	}
	added := 0
	for _, dep := range reqs {
		name := dep.Name
		if dep.Alias != "" {
			name = dep.Alias
		}
		if present[dep.Name] || present[name] {
			continue
		}
		var (
			sub *chartv2.Chart
			err error
		)
		if isLocal(dep.Repository) {
			sub, err = loadLocalDependency(workDir, chartPath, dep, lim)
		} else if repos == nil {
			err = fmt.Errorf("no chart repository available for '%s'", dep.Repository)
		} else {
			sub, err = repos.Chart(ctx, dep.Repository, dep.Name, dep.Version)
		}
		if err != nil {
			return added, newError(ReasonDependency, "dependency '%s': %w", name, err)
		}
		c.AddDependency(sub)
		present[dep.Name] = true
		added++
	}
	return added, nil
}

func isLocal(repository string) bool {
	return repository == "" || strings.HasPrefix(repository, "file://")
}

func loadLocalDependency(workDir, chartPath string, dep *chartv2.Dependency, lim Limits) (*chartv2.Chart, error) {
	if dep.Repository == "" {
		return nil, fmt.Errorf("not in the chart's charts/ folder and no repository set: vendor it, or set its repository")
	}
	u, err := url.Parse(dep.Repository)
	if err != nil {
		return nil, fmt.Errorf("invalid local repository '%s': %w", dep.Repository, err)
	}
	rel, err := CleanPath(path.Join(chartPath, u.Host+u.Path))
	if err != nil {
		return nil, fmt.Errorf("repository '%s': %w", dep.Repository, err)
	}
	sub, err := LoadFromSource(workDir, rel, lim)
	if err != nil {
		return nil, fmt.Errorf("repository '%s': %w", dep.Repository, err)
	}
	if err := CheckVersion(sub.Metadata.Version, dep.Version); err != nil {
		return nil, err
	}
	return sub, nil
}

// CheckVersion fails when version does not satisfy the range (empty means
// any version).
func CheckVersion(version, versionRange string) error {
	if versionRange == "" {
		return nil
	}
	constraint, err := semver.NewConstraint(versionRange)
	if err != nil {
		return fmt.Errorf("invalid version range '%s': %w", versionRange, err)
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return fmt.Errorf("version '%s' is not semver: %w", version, err)
	}
	if !constraint.Check(v) {
		return fmt.Errorf("version '%s' does not satisfy '%s'", version, versionRange)
	}
	return nil
}
