// Package chartrepo is the Helm chart repository of `tide dev up`: it
// packages chart folders with the Helm v4 SDK, writes their index.yaml, and
// serves the lot over plain HTTP on a loopback address, as a static chart
// repository (e.g. GitHub Pages) does. It is its own package so that only
// the dev environment links the Helm SDK.
package chartrepo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"
)

// Server is a running chart repository.
type Server struct {
	// URL is the repository's address (http://127.0.0.1:PORT), the
	// folder of index.yaml, as a HelmRepository's spec.url names it.
	URL string
	// Charts are the packages it serves, e.g. "hello-1.0.0.tgz".
	Charts []string

	srv  *http.Server
	done chan struct{}
}

// Start packages each chart folder of chartsDir into dir, indexes them,
// and serves dir on addr until Stop. A serving error after Start is sent
// to exited.
func Start(chartsDir, dir, addr string, exited chan<- error) (*Server, error) {
	charts, err := packageAll(chartsDir, dir)
	if err != nil {
		return nil, err
	}
	// Chart URLs stay relative to the repository, as `helm repo index`
	// writes them without --url.
	idx, err := repo.IndexDirectory(dir, "")
	if err != nil {
		return nil, fmt.Errorf("index the charts in %s: %w", dir, err)
	}
	if err := idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL: "http://" + l.Addr().String(), Charts: charts, done: make(chan struct{}),
		srv: &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			select {
			case exited <- fmt.Errorf("chart repository: %w", err):
			default:
			}
		}
	}()
	return s, nil
}

// Stop closes the server and waits for it.
func (s *Server) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	<-s.done
}

// packageAll packages every folder of chartsDir that holds a Chart.yaml
// into dir, as `helm package` does, and returns the package names.
func packageAll(chartsDir, dir string) ([]string, error) {
	entries, err := os.ReadDir(chartsDir)
	if err != nil {
		return nil, fmt.Errorf("read the demo charts: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		src := filepath.Join(chartsDir, e.Name())
		if _, err := os.Stat(filepath.Join(src, chartutil.ChartfileName)); !e.IsDir() || err != nil {
			continue
		}
		ch, err := loader.LoadDir(src)
		if err != nil {
			return nil, fmt.Errorf("load chart %s: %w", src, err)
		}
		file, err := chartutil.Save(ch, dir)
		if err != nil {
			return nil, fmt.Errorf("package chart %s: %w", src, err)
		}
		out = append(out, filepath.Base(file))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no chart (a folder with Chart.yaml) in %s", chartsDir)
	}
	return out, nil
}
