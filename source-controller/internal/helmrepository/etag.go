package helmrepository

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// etags remembers, per HelmRepository, the server's ETag of the index its
// artifact holds, so that the next fetch asks for the index only if it
// changed: on an unchanged index the server answers 304 and nothing is
// downloaded (Flux downloads the whole index every interval). It lives in
// memory: after a restart the first fetch is a full one.
type etags struct{ m sync.Map }

type etagRecord struct {
	url, etag, revision string
}

// forRevision is the ETag to send: the one recorded for this object's URL
// and the revision its artifact holds, else "".
func (e *etags) forRevision(obj *sourcev1.HelmRepository) string {
	v, ok := e.m.Load(obj.UID)
	a := obj.Status.Artifact
	if !ok || a == nil {
		return ""
	}
	rec := v.(etagRecord)
	if rec.url != obj.Spec.URL || rec.revision != a.Revision {
		return ""
	}
	return rec.etag
}

// record keeps the ETag of the index the artifact now holds.
func (e *etags) record(obj *sourcev1.HelmRepository, etag, revision string) {
	if etag == "" {
		e.m.Delete(obj.UID)
		return
	}
	e.m.Store(obj.UID, etagRecord{url: obj.Spec.URL, etag: etag, revision: revision})
}

func (e *etags) forget(uid types.UID) { e.m.Delete(uid) }
