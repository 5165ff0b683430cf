// Package imagetest runs the image CLI commands (create, reconcile, get
// image ...) against the real image-automation-controller, as a process, and
// an OCI registry in the test: what daytwotest checks with a stand-in
// controller, here with the status the controller really writes.
package imagetest
