// Package policy chooses the latest tag among an ImageRepository's tags as
// an ImagePolicy says, the way Flux's image-reflector-controller chooses:
// semver (a Masterminds range; a tag counts when it is a strict semantic
// version, a leading "v" allowed, and prereleases follow Masterminds'
// rules: a range admits them only when it names one), alphabetical and
// numerical (order asc picks the greatest, desc the least), after an
// optional filterTags (pattern, and extract to compare a part of the tag).
//
// Where Flux's choice depends on map order (equal versions after an
// extract), Tide's depends only on the tags' order, which the tag store
// fixes (reverse alphabetical), so the same tags always give the same tag.
package policy
