// Module helm-controller is Tide's twin of Flux's helm-controller: it
// reconciles helm.toolkit.fluxcd.io/v2 HelmReleases into Helm releases with
// the Helm v4 SDK, reading charts from the artifacts of Flux's (or Tide's)
// source-controller.
package helmcontroller
