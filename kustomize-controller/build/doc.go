// Package build turns a folder of an unpacked source artifact into
// Kubernetes objects the way Flux's kustomize-controller does (Build), then
// does to them what Flux does before applying (PostBuild: the variable
// substitution of spec.postBuild with Flux's envsubst, then
// spec.commonMetadata), and finds SOPS-encrypted objects that must not be
// applied as they are (RefuseEncrypted).
//
// It needs no cluster: the kustomize-controller calls it for every
// Kustomization, and `tide build` calls it on a local checkout.
//
// Build reads the tree at root through a file system that is confined to
// that root (the fix for Flux's CVE-2022-24877): no resource, patch,
// generator file or symlink may make kustomize read outside it, whatever
// the kustomization files say. The root is shared by concurrent builds, so
// Build never writes to it. What Flux writes to disk (the kustomization.yaml
// it generates for a folder of plain manifests, or the one it rewrites to
// apply spec.targetNamespace, spec.patches and the like) lives in an in-memory
// overlay for the duration of one build.
//
// Remote bases (git repositories and HTTP URLs in resources or components)
// are refused before kustomize sees them when Options.NoRemoteBases is set.
// Otherwise kustomize fetches them itself, cloning with git into
// os.TempDir()/kustomize-<digits>; the confined file system then lets the
// build read inside the clones made during its own kustomize run (runs are
// serialised), and a symlink in a clone cannot leave it either.
//
// Errors are written for the person who reads the Kustomization's Ready
// condition: they name the folder, the file or the object at fault, never
// carry the content of a file that was refused, and show paths relative to
// the source root rather than the controller's cache directory.
// ErrPathNotFound and ErrRemoteBase tell apart the failures a user must fix
// in spec.path or in the manifests' remote references.
package build
