// Package registry asks container registries what an ImageRepository scan
// and an ImagePolicy's digest reflection need: the tags of an image (every
// page of them) and the digest a tag points to. It reads images the way
// Flux's image-reflector-controller does (no scheme, no tag; the canonical
// name is go-containerregistry's, "index.docker.io/library/nginx" for
// "nginx"), reaches registries with a docker config JSON, certificates, a
// proxy or plain HTTP, and waits out rate limits (429) as the registry asks
// in Retry-After, a bounded number of times.
//
// OptionsFor reads an ImageRepository's Secrets into Options, for both the
// ImageRepository and ImagePolicy reconcilers; Clients keeps a client per
// set of settings between their runs.
package registry
