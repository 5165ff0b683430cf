// Package install renders Tide's install manifests (the CRDs, the
// namespace and each chosen controller, from the embedded manifests
// module), applies them server-side, waits for the controllers, and
// removes them again without touching what the controllers applied.
package install
