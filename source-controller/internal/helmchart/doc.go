// Package helmchart reconciles Flux's source.toolkit.fluxcd.io/v1 HelmChart:
// it resolves a chart from its source (a chart folder or packaged chart in a
// GitRepository artifact, a chart version in a HelmRepository index, or an
// OCI chart in a registry), merges spec.valuesFiles into it, resolves its
// missing dependencies, and stores the packaged chart as a .tgz artifact at
// helmchart/<namespace>/<name>/<chart>-<version>.tgz, as Flux does.
//
// The steps are listed in reconciler.go, one file each. Building is done by
// package chartbuild; this package chooses the inputs (source, version
// metadata, credentials) and turns failures into conditions.
//
// Versions follow Flux: the chart's version; with reconcileStrategy
// Revision and a GitRepository source, "+<first 12 hex of the commit>"; with
// valuesFiles, the object's generation appended (".<generation>" after a
// revision). An artifact of the same chart name and version, built at the
// current generation by a successful run, is kept rather than rebuilt.
package helmchart
