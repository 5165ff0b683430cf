// Package images builds the controllers' container images: one static Linux
// binary on an empty base, run as nobody, with nothing else in the image (no
// shell, no package manager) to patch or to exploit. The same content always
// gives the same digest: files carry fixed times and owners, and the image
// no creation date.
package images

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Nobody is the user the image runs as; the manifests' Deployments run as
// the same user (runAsUser: 65534).
const Nobody = "65534:65534"

// Spec is one controller's image.
type Spec struct {
	// Name is the controller's, e.g. source-controller: the binary is
	// /usr/local/bin/<Name> and the image's entrypoint.
	Name string
	// Binary is the path of a static Linux binary built for Arch.
	Binary string
	// Arch is the binary's GOARCH, e.g. amd64.
	Arch string
	// Version and Revision go into the standard OCI labels.
	Version, Revision string
}

// BuildBinary compiles the controller called name from the workspace at
// root into dir, as a static Linux binary for arch (no C library needed,
// so it runs on an empty base), and returns its path.
func BuildBinary(ctx context.Context, root, name, arch, dir string) (string, error) {
	out := filepath.Join(dir, "linux-"+arch, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./cmd/"+name)
	cmd.Dir = filepath.Join(root, name)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s for linux/%s: %v\n%s", name, arch, err, b)
	}
	return out, nil
}

// Image assembles the image of s: one layer with the binary, the /tmp the
// Deployment mounts over, and passwd entries for root and nobody.
func Image(s Spec) (v1.Image, error) {
	bin, err := os.ReadFile(s.Binary)
	if err != nil {
		return nil, err
	}
	files, err := rootFS(s.Name, bin)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	base, err = mutate.ConfigFile(base, &v1.ConfigFile{
		OS: "linux", Architecture: s.Arch,
		Config: v1.Config{
			Entrypoint: []string{"/usr/local/bin/" + s.Name},
			User:       Nobody,
			WorkingDir: "/",
			Env:        []string{"PATH=/usr/local/bin", "TMPDIR=/tmp"},
			Labels: map[string]string{
				"org.opencontainers.image.title":    s.Name,
				"org.opencontainers.image.source":   "https://github.com/tidegitops/tide",
				"org.opencontainers.image.version":  s.Version,
				"org.opencontainers.image.revision": s.Revision,
				"org.opencontainers.image.licenses": "Apache-2.0",
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return mutate.Append(base, mutate.Addendum{Layer: layer, History: v1.History{
		CreatedBy: "tide-image " + s.Name, Comment: "static binary on an empty base",
	}})
}

// rootFS is the image's only layer, as an uncompressed tar.
func rootFS(name string, bin []byte) ([]byte, error) {
	entries := []struct {
		path    string
		mode    int64
		content []byte // nil for a directory
	}{
		{"etc/", 0o755, nil},
		{"etc/group", 0o644, []byte("root:x:0:\nnobody:x:65534:\n")},
		{"etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n")},
		// Sticky and world-writable, as everywhere: the controllers write
		// temporary files there when run without the Deployment's emptyDir.
		{"tmp/", 0o1777, nil},
		{"usr/", 0o755, nil},
		{"usr/local/", 0o755, nil},
		{"usr/local/bin/", 0o755, nil},
		{"usr/local/bin/" + name, 0o755, bin},
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: e.path, Mode: e.mode, Size: int64(len(e.content)), ModTime: time.Unix(0, 0)}
		if e.content == nil {
			hdr.Typeflag = tar.TypeDir
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.content); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteTarball writes img, tagged ref, as a tarball that `docker load`,
// `podman load` and `kind load image-archive` take.
func WriteTarball(img v1.Image, ref, path string) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return tarball.WriteToFile(path, tag, img)
}

// Push uploads img to ref, with the credentials docker or podman logged in
// with.
func Push(ctx context.Context, img v1.Image, ref string, opts ...name.Option) error {
	tag, err := name.NewTag(ref, opts...)
	if err != nil {
		return err
	}
	return remote.Write(tag, img, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain))
}
