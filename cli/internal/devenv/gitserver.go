package devenv

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fluxcd/gitkit"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// DemoRepo is the name of the demo fleet repository on the Git server.
const DemoRepo = "fleet.git"

// gitServer serves the bare repositories of git/ over smart HTTP, inside
// the tide process, with no authentication (it listens on 127.0.0.1).
type gitServer struct {
	srv  *http.Server
	log  *os.File
	done chan struct{}
	hook atomic.Pointer[string] // the Receiver URL called after a push to DemoRepo
}

// setHook makes every later push to DemoRepo call url, as a post-receive
// hook would.
func (g *gitServer) setHook(url string) { g.hook.Store(&url) }

// serveGit serves Git, then, once a push to DemoRepo is handled, calls
// the hook (in the background: the pusher need not wait for it).
func (g *gitServer) serveGit(svc http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.ServeHTTP(w, r)
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/"+DemoRepo+"/git-receive-pack") {
			return
		}
		if url := g.hook.Load(); url != nil {
			go callHook(*url)
		}
	})
}

func (g *gitServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = g.srv.Shutdown(ctx)
	<-g.done
	log.SetOutput(os.Stderr)
	g.log.Close()
}

// startGitServer seeds the demo repo from examples/ and serves it.
func (e *Env) startGitServer(context.Context) error {
	root := e.path("git")
	commit, err := seedRepo(filepath.Join(root, DemoRepo), filepath.Join(e.cfg.Root, "examples"))
	if err != nil {
		return err
	}
	e.demoCommit = commit
	// gitkit logs every request through the standard logger: into a file.
	logFile, err := os.Create(e.path("logs", "git-server.log"))
	if err != nil {
		return err
	}
	log.SetOutput(logFile)
	svc := gitkit.New(gitkit.Config{Dir: root})
	if err := svc.Setup(); err != nil {
		return err
	}
	addr, err := e.freeAddr()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	g := &gitServer{log: logFile, done: make(chan struct{})}
	g.srv = &http.Server{Handler: g.serveGit(svc), ReadHeaderTimeout: 10 * time.Second}
	e.git = g
	go func() {
		defer close(g.done)
		if err := g.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			select {
			case e.exited <- err:
			default:
			}
		}
	}()
	e.stoppers = append(e.stoppers, g)
	e.RepoURL = "http://" + addr + "/" + DemoRepo
	e.cfg.Out.Success("Git server running: %s (branch main, from examples/)", e.RepoURL)
	return nil
}

// seedRepo makes a bare repository at dir whose branch main holds one
// commit with the files of examples, and returns that commit.
func seedRepo(dir, examples string) (string, error) {
	if _, err := gogit.PlainInitWithOptions(dir, &gogit.PlainInitOptions{
		Bare: true, InitOptions: gogit.InitOptions{DefaultBranch: plumbing.Main},
	}); err != nil {
		return "", err
	}
	repo, err := gogit.Init(memory.NewStorage(), memfs.New())
	if err != nil {
		return "", err
	}
	tree, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	err = filepath.WalkDir(examples, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(examples, path)
		return util.WriteFile(tree.Filesystem, filepath.ToSlash(rel), data, 0o644)
	})
	if err != nil {
		return "", err
	}
	if err := tree.AddWithOptions(&gogit.AddOptions{All: true}); err != nil {
		return "", err
	}
	commit, err := tree.Commit("Demo fleet repository, from Tide's examples/", &gogit.CommitOptions{
		Author: &object.Signature{Name: "tide dev", Email: "tide-dev@localhost", When: time.Now()},
	})
	if err != nil {
		return "", err
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{dir}}); err != nil {
		return "", err
	}
	return commit.String(), repo.Push(&gogit.PushOptions{RefSpecs: []config.RefSpec{"refs/heads/master:refs/heads/main"}})
}
