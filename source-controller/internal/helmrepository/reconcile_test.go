package helmrepository

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"

	"github.com/tidegitops/tide/source-controller/internal/artifactevent"
	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/helmserver"
)

var (
	app  = helmserver.Chart{Name: "app", Version: "1.0.0"}
	app2 = helmserver.Chart{Name: "app", Version: "2.0.0"}
)

func containsText(s, sub string) bool { return strings.Contains(s, sub) }

// The index is stored where Flux stores it, with Flux's revision, served
// with its digest and through the stable index.yaml link, and handed to
// the shared cache; an unchanged index writes nothing; a new one replaces
// it; deletion removes the artifacts.
func TestReconcileStoresIndex(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	srv := helmserver.Start(t, helmserver.WithCharts(app))
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newHelmRepository(ns, srv.URL)
	create(t, obj)
	waitReady(t, obj)

	a := obj.Status.Artifact
	wantRevision := sha256Of(srv.Index())
	g.Expect(a.Revision).To(Equal(wantRevision), "revision is the digest of the index as served")
	g.Expect(a.Path).To(Equal("helmrepository/" + ns + "/" + obj.Name + "/index-" + strings.TrimPrefix(wantRevision, "sha256:") + ".yaml"))
	g.Expect(obj.Status.URL).To(HaveSuffix("/helmrepository/" + ns + "/" + obj.Name + "/index.yaml"))
	body := download(t, a)
	g.Expect(get(t, obj.Status.URL)).To(Equal(body), "index.yaml serves the artifact")
	g.Expect(chartVersions(t, body)).To(Equal(1))
	g.Expect(conditions.GetReason(obj, meta.ReadyCondition)).To(Equal(meta.SucceededReason))
	g.Expect(conditions.GetMessage(obj, meta.ReadyCondition)).To(Equal("stored artifact: revision '" + wantRevision + "'"))
	waitEvent(t, obj, artifactevent.NewArtifactReason, "stored fetched index of size")
	cached, err := env.indexes.Get(ctx, a.Digest, func() (io.ReadCloser, error) { return nil, errors.New("not put in the cache") })
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cached.Entries).To(HaveKey("app"))

	requestReconcile(t, obj, true)
	g.Expect(obj.Status.Artifact).To(Equal(a), "an unchanged index keeps its artifact")
	g.Expect(srv.Requests("/index.yaml")).To(Equal(int64(2)))
	g.Expect(srv.NotModified()).To(Equal(int64(1)), "an unchanged index is not downloaded again (ETag)")

	srv.AddCharts(app2)
	requestReconcile(t, obj, true)
	g.Expect(obj.Status.Artifact.Revision).To(Equal(sha256Of(srv.Index())))
	g.Expect(chartVersions(t, get(t, obj.Status.URL))).To(Equal(2), "index.yaml follows the new artifact")

	srv.DisableETag() // a server without conditional requests: the digest tells
	current := obj.Status.Artifact
	requestReconcile(t, obj, true)
	g.Expect(obj.Status.Artifact).To(Equal(current))
	g.Expect(srv.NotModified()).To(Equal(int64(1)))

	g.Expect(env.CP.Client.Delete(ctx, obj)).To(Succeed())
	testkit.WaitForDeletion(t, env.CP.Client, obj)
	_, err = os.Stat(filepath.Join(env.Root, "helmrepository", ns, obj.Name))
	g.Expect(os.IsNotExist(err)).To(BeTrue(), "artifacts removed with the object")
}

// chartVersions is how many versions of app a stored index lists.
func chartVersions(t *testing.T, data []byte) int {
	t.Helper()
	index, err := helmindex.Parse(data)
	if err != nil {
		t.Fatalf("stored index does not parse: %v", err)
	}
	return len(index.Entries["app"])
}
