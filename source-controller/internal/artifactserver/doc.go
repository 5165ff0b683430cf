// Package artifactserver serves the source-controller's artifact storage
// over plain HTTP, so that consumers such as the kustomize-controller can
// download an artifact from the URL recorded in a source's status.
//
// Handler(root) serves the regular file at "<root>/<path>" for GET and HEAD
// "/<path>", with Range and conditional request support. It never lists
// directories and never serves anything outside root: ".." (also
// percent-encoded), empty path elements and symlinks leading out of root all
// give 404. Serve runs that handler on an address until its context ends,
// which makes it usable as a controller-runtime manager Runnable.
package artifactserver
