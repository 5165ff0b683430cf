package chartbuild

import (
	"fmt"
	"time"

	"helm.sh/helm/v4/pkg/chart/common"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
)

// packagedTime is the modification time of every file in a packaged chart,
// so that the archive depends on content only. It is the earliest time a
// zip or tar tool commonly accepts, as reproducible builds use.
var packagedTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// Package writes c as "<name>-<version>.tgz" into dir and returns the
// file's path. Equal charts give byte-equal files: Helm writes every file
// with mode 0644 and no owner, and the times are fixed here.
func Package(c *chartv2.Chart, dir string) (string, error) {
	stampTimes(c)
	p, err := chartutil.Save(c, dir)
	if err != nil {
		return "", newError(ReasonChartPackage, "package chart '%s': %w", c.Name(), err)
	}
	return p, nil
}

// stampTimes sets every time Helm writes into the tarball. A Chart.lock
// keeps its own "generated" time (it is content the author wrote), unless
// it has none, when Helm would write the current time.
func stampTimes(c *chartv2.Chart) {
	c.ModTime = packagedTime
	c.SchemaModTime = packagedTime
	if c.Lock != nil && c.Lock.Generated.IsZero() {
		c.Lock.Generated = packagedTime
	}
	for _, files := range [][]*common.File{c.Raw, c.Templates, c.Files} {
		for _, f := range files {
			f.ModTime = packagedTime
		}
	}
	for _, dep := range c.Dependencies() {
		stampTimes(dep)
	}
}

// Summary describes a build the way Flux's events do.
func Summary(packaged bool, name, version string, valuesFiles []string) string {
	action := "pulled"
	if packaged {
		action = "packaged"
	}
	s := fmt.Sprintf("%s '%s' chart with version '%s'", action, name, version)
	if len(valuesFiles) > 0 {
		s += fmt.Sprintf(" and merged values files %v", valuesFiles)
	}
	return s
}
