// Package artifacttest tests `tide push artifact`, `tide pull artifact` and
// `tide list artifacts` end to end against an in-process OCI registry, and
// checks that what tide pushes is what Flux's OCIRepository reads: Flux's
// media types and annotations.
package artifacttest
