package helmrepository

import (
	"fmt"

	repo "helm.sh/helm/v4/pkg/repo/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/helmrepo"
)

// scope carries what one reconciliation observed from step to step.
type scope struct {
	obj *sourcev1.HelmRepository

	opts helmrepo.Options

	// revision is Flux's revision of the fetched index: "sha256:<hex>" of
	// its bytes as served.
	revision string
	// etag is the server's ETag of the fetched index, if it gave one.
	etag string
	// upToDate is true when the stored artifact holds this revision.
	upToDate bool
	// index is the fetched index, parsed; nil when upToDate.
	index *repo.IndexFile
	// stored is the size of the artifact written by this run, 0 if none.
	stored int64
}

// changes is the line the outcome's event adds when a new index was
// stored.
func (s *scope) changes() string {
	if s.stored == 0 {
		return ""
	}
	return fmt.Sprintf("stored fetched index of size %d bytes from '%s'", s.stored, redacted(s.obj.Spec.URL))
}
