// Package e2e runs Tide's controllers as the separate processes they are in
// a cluster (built from this workspace) against a real kube-apiserver and an
// in-process Git server, and checks the whole path from a commit to the
// cluster. Its benchmarks measure that path against a bare server-side-apply
// client.
package e2e
