package helmchart

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/source-controller/internal/storage"
)

// testHTTPRepositories is what main.go wires for HelmRepositories of type
// default.
func testHTTPRepositories(client.Client, *storage.Storage) HTTPRepositories { return nil }
