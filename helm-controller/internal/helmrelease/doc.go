// Package helmrelease reconciles Flux's helm.toolkit.fluxcd.io/v2
// HelmRelease: from a chart artifact (a HelmChart made from spec.chart, or
// spec.chartRef) and composed values to a Helm release, with Flux's
// decisions (install, upgrade, test, remediation by rollback or uninstall,
// retries and failure counters) and Flux's status (history snapshots,
// conditions Released, TestSuccess and Remediated summarised into Ready).
//
// The Helm actions themselves live in package release; this package only
// decides which to run and records what happened.
package helmrelease
