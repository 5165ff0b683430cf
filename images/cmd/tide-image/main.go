// Command tide-image builds the named controllers' container images from
// this workspace into tarballs (docker load, kind load image-archive), and
// pushes them with --push. `make images` runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/tidegitops/tide/images"
)

func main() {
	root := flag.String("root", "", "the workspace (the folder with go.work); default: found above the current folder")
	out := flag.String("out", "bin/images", "folder for the image tarballs, <name>.tar")
	repo := flag.String("repo", "ghcr.io/tidegitops", "registry and path the images are named under")
	tag := flag.String("tag", "latest", "image tag, also the version label")
	arch := flag.String("arch", runtime.GOARCH, "CPU architecture (GOARCH) to build for")
	revision := flag.String("revision", "", "source revision for the image label")
	push := flag.Bool("push", false, "also push each image to <repo>/<name>:<tag>")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: tide-image [flags] controller...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(context.Background(), *root, *out, *repo, *tag, *arch, *revision, *push, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "tide-image:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, root, out, repo, tag, arch, revision string, push bool, names []string) error {
	if len(names) == 0 {
		return errors.New("name at least one controller, e.g. source-controller")
	}
	if root == "" {
		var err error
		if root, err = workspaceRoot(); err != nil {
			return err
		}
	}
	out, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	for _, name := range names {
		// A cold build of a controller takes minutes: say what is going on.
		fmt.Printf("%s: building a static binary for linux/%s...\n", name, arch)
		bin, err := images.BuildBinary(ctx, root, name, arch, filepath.Join(out, "bin"))
		if err != nil {
			return err
		}
		img, err := images.Image(images.Spec{Name: name, Binary: bin, Arch: arch, Version: tag, Revision: revision})
		if err != nil {
			return err
		}
		ref := repo + "/" + name + ":" + tag
		path := filepath.Join(out, name+".tar")
		if err := images.WriteTarball(img, ref, path); err != nil {
			return err
		}
		digest, err := img.Digest()
		if err != nil {
			return err
		}
		fmt.Printf("%s: %s (%s)\n", ref, path, digest)
		if push {
			if err := images.Push(ctx, img, ref); err != nil {
				return fmt.Errorf("push %s: %w", ref, err)
			}
			fmt.Printf("%s: pushed\n", ref)
		}
	}
	return nil
}

// workspaceRoot is the nearest folder at or above the current one that
// holds go.work.
func workspaceRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the current folder: pass --root")
		}
		dir = parent
	}
}
