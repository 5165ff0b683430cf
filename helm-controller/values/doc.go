// Package values composes the values of a HelmRelease as Flux does:
// spec.valuesFrom (ConfigMaps and Secrets, in order), then spec.values on
// top. A reference with a targetPath sets one value with Helm's --set
// syntax (or --set-literal), and is applied over spec.values, as in Flux.
//
// Errors say which reference failed and how to fix it; they never carry
// the content of a Secret.
//
// It is public so that `tide build|diff helmrelease` compose values exactly
// as the controller does.
package values
