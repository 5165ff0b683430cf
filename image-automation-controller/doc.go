// Package imageautomationcontroller is Tide's image-automation-controller:
// one binary serving Flux's ImageRepository and ImagePolicy (Flux's
// image-reflector-controller) and ImageUpdateAutomation (Flux's
// image-automation-controller). It scans registries for tags, picks the
// latest by policy, and commits the picks back to Git through setter markers.
package imageautomationcontroller
