package helmrepository

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	helmgetter "helm.sh/helm/v4/pkg/getter"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit/helmserver"
)

// BenchmarkLargeIndex stores a new 20 MB index (5,000 charts × 10
// versions): Tide's fetch and store steps (download, digest, parse, write
// the JSON artifact), against the floor of the Helm SDK alone downloading
// and loading the index once. The same index again costs one request
// answered 304 (see TestReconcileStoresIndex).
func BenchmarkLargeIndex(b *testing.B) {
	ctx := context.Background()
	srv := helmserver.Start(b)
	srv.SetIndex(helmserver.LargeIndex(5000, 10))
	b.Logf("index: %d bytes", len(srv.Index()))

	b.Run("tide", func(b *testing.B) {
		b.ReportAllocs()
		r := &Reconciler{Storage: env.Store, IndexMaxSize: 64 << 20}
		n := 0
		for b.Loop() {
			n++
			obj := &sourcev1.HelmRepository{
				ObjectMeta: metav1.ObjectMeta{Namespace: "bench", Name: fmt.Sprintf("large-%d", n), UID: types.UID(fmt.Sprint(n))},
				Spec:       sourcev1.HelmRepositorySpec{URL: srv.URL},
			}
			s := &scope{obj: obj}
			if err := r.fetch(ctx, s); err != nil {
				b.Fatal(err)
			}
			if err := r.store(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("helm-sdk-floor", func(b *testing.B) {
		b.ReportAllocs()
		getter, err := helmgetter.NewHTTPGetter()
		if err != nil {
			b.Fatal(err)
		}
		file := filepath.Join(b.TempDir(), "index.yaml")
		for b.Loop() {
			buf, err := getter.Get(srv.URL + "/index.yaml")
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
				b.Fatal(err)
			}
			if _, err := repo.LoadIndexFile(file); err != nil {
				b.Fatal(err)
			}
		}
	})
}
