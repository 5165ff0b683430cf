package chartfetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
)

func packageChart(t *testing.T) []byte {
	t.Helper()
	ch := &chart.Chart{
		Metadata:  &chart.Metadata{APIVersion: chart.APIVersionV2, Name: "app", Version: "1.0.0"},
		Templates: []*common.File{{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")}},
	}
	file, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func TestLoad(t *testing.T) {
	good := packageChart(t)
	files := map[string][]byte{"/good.tgz": good, "/junk.tgz": []byte("not a chart")}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()

	tests := []struct {
		name    string
		path    string
		digest  string
		maxSize int64
		wantErr error
	}{
		{name: "chart", path: "/good.tgz", digest: digestOf(good)},
		{name: "digest mismatch", path: "/good.tgz", digest: digestOf([]byte("other")), wantErr: ErrDigest},
		{name: "malformed digest", path: "/good.tgz", digest: "md5:abc", wantErr: ErrDigest},
		{name: "not served", path: "/gone.tgz", digest: digestOf(good), wantErr: ErrNotFound},
		{name: "too large", path: "/good.tgz", digest: digestOf(good), maxSize: 10, wantErr: ErrTooLarge},
		{name: "not a chart", path: "/junk.tgz", digest: digestOf(files["/junk.tgz"]), wantErr: ErrInvalidChart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Fetcher{MaxSize: tt.maxSize}
			ch, err := f.Load(context.Background(), srv.URL+tt.path+"?token=secret", tt.digest)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("the error shows the URL's query: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.Name() != "app" || ch.Metadata.Version != "1.0.0" {
				t.Errorf("loaded %s@%s", ch.Name(), ch.Metadata.Version)
			}
		})
	}
}
