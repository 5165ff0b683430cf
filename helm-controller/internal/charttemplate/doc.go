// Package charttemplate keeps the chart source a HelmRelease's spec.chart
// stands for: the HelmChart (or, with chart.kind OCIRepository, the
// OCIRepository) named '<namespace>-<name>' of the HelmRelease, created and
// updated by server-side apply from the template, labelled with its owner
// as Flux labels it, and deleted when the HelmRelease goes, switches to
// spec.chartRef, or moves its chart to another namespace.
//
// It only writes the source object; the reconciler reads its artifact.
package charttemplate
