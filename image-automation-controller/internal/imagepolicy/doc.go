// Package imagepolicy reconciles Flux's ImagePolicy: it reads the tags
// its ImageRepository's last scan stored, picks the latest by spec.policy
// after spec.filterTags, reads the tag's digest as
// spec.digestReflectionPolicy asks, and reports the pick in
// status.latestRef (the one before in status.observedPreviousRef), with an
// event when it changes, as Flux's image-reflector-controller does. A new
// scan of the repository reconciles its policies at once. A policy that
// cannot pick (no tag matches, the registry refuses the digest read) keeps
// its last latestRef, so automations go on writing the last good image.
package imagepolicy
