// Package helmserver is an in-process Helm chart repository for tests: an
// httptest server (plain HTTP or TLS, optionally behind basic auth) that
// serves an index.yaml built with the Helm v4 SDK and charts packaged with
// it, and counts what it is asked for.
//
// It is a subpackage of testkit so that only the tests that need a chart
// repository link the Helm SDK.
//
//	srv := helmserver.Start(t, helmserver.WithCharts(helmserver.Chart{Name: "app", Version: "1.0.0"}))
//	srv.URL                  // the repository URL, without index.yaml
//	srv.Requests("/index.yaml")
//	srv.NotModified()        // index requests answered 304 (ETag matched)
//	srv.SetIndex([]byte("{"))  // serve a broken index from now on
//	srv.SetStatus(http.StatusForbidden)
//
// LargeIndex generates the index of a big repository (thousands of charts)
// for benchmarks.
package helmserver
