package artifactserver

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// shutdownTimeout bounds how long Serve waits for in-flight downloads once
// its context is done; consumers retry, so a cut download is not fatal.
const shutdownTimeout = 10 * time.Second

// Handler returns an http.Handler serving the files under root.
func Handler(root string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		serveFile(w, r, root)
	})
}

// serveFile answers one GET or HEAD. Every failure to find a regular file
// inside root, including an attempted escape, is a plain 404 so the response
// does not reveal what exists outside root.
func serveFile(w http.ResponseWriter, r *http.Request, root string) {
	name, ok := strings.CutPrefix(r.URL.Path, "/")
	// fs.ValidPath rejects "", ".", "..", empty elements and trailing slashes;
	// r.URL.Path is already percent-decoded, so "%2e%2e" is caught too.
	if !ok || !fs.ValidPath(name) || name == "." {
		http.NotFound(w, r)
		return
	}
	// Opening the root per request keeps working if root is recreated, and
	// os.Root refuses symlinks that resolve outside it.
	dir, err := os.OpenRoot(root)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer dir.Close()
	f, err := dir.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".tgz") {
		w.Header().Set("Content-Type", "application/gzip")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, path.Base(name), fi.ModTime(), f)
}

// Serve listens on addr and serves root until ctx is done, then shuts down
// gracefully. It returns nil after a clean shutdown.
func Serve(ctx context.Context, addr, root string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return serve(ctx, ln, root)
}

// serve is Serve on an existing listener, which it closes.
func serve(ctx context.Context, ln net.Listener, root string) error {
	srv := &http.Server{
		Handler:           Handler(root),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err := <-errc:
		return err // Serve only returns early on a listener failure
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
