// Package helmrender renders a HelmRelease from the cluster as Tide's
// helm-controller would release it now: the chart is the artifact its
// HelmChart (spec.chart, or spec.chartRef) or OCIRepository publishes,
// downloaded and checked against its digest with the controller's
// chartfetch; the values are composed with the controller's values package
// (valuesFrom in order, spec.values, targetPath), with local files merged
// last; the release name (package naming), namespace and storage follow the controller's
// rules; and Helm v4 renders it in a server-side dry run (an install, or an
// upgrade of the release in storage), so that lookups and .Capabilities see
// the cluster. The post-renderers are the controller's (package postrender:
// spec.postRenderers, spec.commonMetadata, the origin labels). Nothing in
// the cluster is changed.
//
// It serves `tide build helmrelease` and `tide diff helmrelease`.
package helmrender
