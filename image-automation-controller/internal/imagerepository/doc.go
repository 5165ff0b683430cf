// Package imagerepository reconciles Flux's ImageRepository: it scans the
// registry for the image's tags (every page, rate limits waited out), drops
// those of spec.exclusionList, records the rest in the tag store for the
// ImagePolicies, and reports the scan in status.lastScanResult, as Flux's
// image-reflector-controller does. A scan runs when the repository is new,
// its image or exclusion list changed, a reconcile was requested
// (reconcile.fluxcd.io/requestedAt), the store lost its tags, or
// spec.interval has passed since the last one; other runs cost no request.
package imagerepository
