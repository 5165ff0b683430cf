// Package crdfacts holds no code: its test lists, field by field, what Flux's
// main-branch CRDs of the kinds Tide serves contain (types, formats,
// defaults, enums, required fields, patterns, bounds, x-kubernetes-*
// markers, names, categories, printer columns), and checks the CRDs Tide
// generates into manifests/crds against that list, so that a field Tide
// lacks, adds or shapes differently fails a plain go test.
package crdfacts
