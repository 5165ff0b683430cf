// Package setters rewrites the image policy markers Flux users put in their
// YAML ("setters"), changing only the marked values and leaving every other
// byte of a file as it was.
//
// A marker is a YAML comment on the line of a scalar value (or, for a
// sequence item, on the line above it), holding a JSON object whose
// "$imagepolicy" key names an ImagePolicy as "<namespace>:<name>", optionally
// followed by the part of the policy's latest image to write:
//
//	image: ghcr.io/org/app:1.0.0 # {"$imagepolicy": "flux-system:app"}          name:tag[@digest]
//	repository: ghcr.io/org/app  # {"$imagepolicy": "flux-system:app:name"}     name
//	tag: 1.0.0                   # {"$imagepolicy": "flux-system:app:tag"}      tag
//	digest: sha256:...           # {"$imagepolicy": "flux-system:app:digest"}   digest
//
// As in Flux, only files named *.yaml, *.yml or Kustomization that contain
// the text "$imagepolicy" (quoted) are read; a file that does not parse is
// skipped and reported, the others are still updated; a marker naming a
// policy that was not given is left alone. Unlike Flux, which re-serialises a
// changed file through kyaml, the new value is spliced into the original
// bytes at the scalar's position, in the scalar's own quoting style (a plain
// value that would no longer read as a string is double-quoted), so
// comments, indentation, key order and blank lines never move.
package setters
