// Package registry is the OCI registry of `tide dev up`: go-containerregistry's
// in-memory registry served over plain HTTP on a loopback address, and a
// push of a folder to it as a Flux artifact (what `flux push artifact` and
// `tide push artifact` make). It is its own package so that only the dev
// environment links a registry server.
package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"

	"github.com/tidegitops/tide/ociartifact"
)

// Server is a running registry.
type Server struct {
	// Host is the registry's address, "127.0.0.1:PORT", as artifact URLs
	// name it (oci://HOST/REPOSITORY:TAG).
	Host string

	srv  *http.Server
	done chan struct{}
}

// Start serves an empty registry on addr until Stop, logging its requests
// to logTo. A serving error after Start is sent to exited.
func Start(addr string, logTo io.Writer, exited chan<- error) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	handler := ggcrregistry.New(ggcrregistry.Logger(log.New(logTo, "", log.LstdFlags)))
	s := &Server{
		Host: l.Addr().String(), done: make(chan struct{}),
		srv: &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second},
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			select {
			case exited <- fmt.Errorf("OCI registry: %w", err):
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

// URL is the artifact URL of repository in this registry, without a tag:
// an OCIRepository's spec.url.
func (s *Server) URL(repository string) string { return "oci://" + s.Host + "/" + repository }

// Push pushes the content of dir as a Flux artifact to repository:tag and
// returns the manifest digest, leaving out what `tide push artifact` does
// by default.
func (s *Server) Push(ctx context.Context, repository, tag, dir string, meta ociartifact.Metadata) (string, error) {
	c, err := ociartifact.NewClient(ociartifact.Options{Insecure: true, UserAgent: "tide-dev"})
	if err != nil {
		return "", err
	}
	return c.Push(ctx, s.URL(repository)+":"+tag, dir, meta, ociartifact.DefaultIgnorePaths)
}
