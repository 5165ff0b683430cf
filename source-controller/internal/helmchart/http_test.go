package helmchart

import (
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/source-controller/internal/helmindex"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// indexes is the suite's shared index cache, so tests can count parses.
var indexes = helmindex.New(10, time.Hour)

// testHTTPRepositories is what main.go wires for HelmRepositories of type
// default.
func testHTTPRepositories(c client.Client, s *storage.Storage) HTTPRepositories {
	return &HTTPCharts{Client: c, Storage: s, Indexes: indexes, MaxIndexSize: 50 << 20}
}
