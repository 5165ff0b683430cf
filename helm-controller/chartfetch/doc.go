// Package chartfetch downloads a chart artifact from the URL a source
// (HelmChart or OCIRepository) publishes in its status, checks it against
// the digest published with it, and loads it with the Helm v4 SDK within
// size limits. Nothing is loaded from a download that was cut short or
// does not match its digest.
//
// It is public so that `tide build|diff helmrelease` load the chart the
// controller would load, from the same artifact.
package chartfetch
