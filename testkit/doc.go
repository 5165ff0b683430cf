// Package testkit is the test support every Tide module shares: a real
// kube-apiserver and etcd (envtest, with the binaries `make kube-assets`
// builds) with Tide's CRDs installed, helpers that create objects and wait
// for them, and an in-process Git server speaking smart HTTP (basic auth or
// bearer token) and SSH, with helpers to make commits, branches and tags.
//
// Nothing here fakes the API server or Git: tests run against the same
// programs users do.
package testkit
