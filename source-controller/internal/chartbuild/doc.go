// Package chartbuild turns a Helm chart into the artifact a HelmChart
// serves: a chart folder (from a Git artifact) or a chart archive (from a
// chart repository) goes in, with the HelmChart's values files, version
// metadata and missing dependencies; one packaged .tgz comes out.
//
// Packaging is deterministic: every file in the tarball gets the same
// modification time and mode, files and dependencies keep a fixed order, so
// equal inputs give byte-equal archives and equal artifact digests.
//
// Failures are *Error values carrying Flux's build error reason
// (InvalidChartReference, ChartPullError, ValuesFilesError, ...), which the
// reconciler turns into conditions. The package has no Kubernetes client:
// remote dependencies are fetched through the Repositories the caller gives.
package chartbuild
