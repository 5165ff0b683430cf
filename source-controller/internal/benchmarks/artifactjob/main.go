// Command artifactjob runs the source-controller's artifact path once, from
// a Git URL to a stored artifact, and exits. The benchmarks run it as a
// process of its own, so its time and peak memory are measured the way
// git's and tar's are; with no URL it exits at once, which measures the
// memory the process takes before any work.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/source-controller/internal/ignore"
	"github.com/tidegitops/tide/source-controller/internal/storage"
)

func main() {
	if len(os.Args) < 2 {
		return // idle: the floor of the runtime and this binary's code
	}
	tmp, err := os.MkdirTemp("", "artifactjob-")
	if err == nil {
		err = artifact(os.Args[1], tmp)
		_ = os.RemoveAll(tmp)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// artifact is the reconciler's path without the Kubernetes object around
// it: a shallow fetch without a worktree, then a deterministic tar.gz read
// straight from the Git tree, with the default ignore rules.
func artifact(url, tmp string) error {
	auth, err := gitclient.AuthFromSecret(url, nil)
	if err != nil {
		return err
	}
	store, err := storage.New(filepath.Join(tmp, "storage"), "localhost:9090", time.Hour, 2)
	if err != nil {
		return err
	}
	commit, err := gitclient.Checkout(context.Background(), url, auth, gitclient.Ref{Branch: "master"},
		filepath.Join(tmp, "checkout"), gitclient.CheckoutOptions{NoWorktree: true})
	if err != nil {
		return err
	}
	defer commit.Files.Close()
	matcher, err := ignore.NewFS(commit.Files, nil)
	if err != nil {
		return err
	}
	a, err := store.NewArtifact("GitRepository", "default", "repo", commit.Revision, commit.Hash+".tar.gz")
	if err != nil {
		return err
	}
	return store.ArchiveFS(&a, commit.Files, matcher.Excluded)
}
