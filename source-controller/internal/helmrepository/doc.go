// Package helmrepository is the HelmRepository reconciler.
//
// For type 'default' it fetches the repository's index.yaml and stores it
// as an artifact, as Flux does: the revision is the sha256 digest of the
// index as served; the artifact is the parsed index, entries sorted newest
// first, written as JSON (which is YAML) to
// helmrepository/<namespace>/<name>/index-<revision hex>.yaml; status.url
// is the object's stable index.yaml link to it. Its steps, in order
// (reconciler.go lists them in one place):
//
//	storage   forget a recorded artifact whose file is gone; refresh URLs
//	auth      check the URL; read secretRef and certSecretRef
//	fetch     download index.yaml (capped by --helm-index-max-size), or
//	          only learn it is unchanged (304 to the ETag of the stored
//	          one); a digest equal to the stored revision ends the work here
//	store     write the new artifact, point index.yaml at it, and hand the
//	          parsed index to the shared cache HelmCharts read from
//	gc        delete old artifacts of this object
//
// A failure leaves the last artifact served. Type 'oci' has no artifact:
// as in Flux, such an object is static, with an empty status and no
// finalizer, and is not reconciled on an interval (oci.go).
package helmrepository
