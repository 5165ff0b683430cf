package images

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"io"
	stdlog "log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// fakeImage is the image of a stand-in binary: these tests are about the
// image; e2e runs the real controllers out of theirs.
func fakeImage(t *testing.T, content string) v1.Image {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "source-controller")
	if err := os.WriteFile(bin, []byte(content), 0o755); err != nil {
		t.Fatal(err)
	}
	img, err := Image(Spec{Name: "source-controller", Binary: bin, Arch: "arm64", Version: "v1.2.3", Revision: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestImageRunsTheBinaryAsNobody(t *testing.T) {
	img := fakeImage(t, "binary")
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != "linux" || cfg.Architecture != "arm64" {
		t.Errorf("platform %s/%s; want linux/arm64", cfg.OS, cfg.Architecture)
	}
	if got := strings.Join(cfg.Config.Entrypoint, " "); got != "/usr/local/bin/source-controller" {
		t.Errorf("entrypoint %q", got)
	}
	if cfg.Config.User != "65534:65534" {
		t.Errorf("user %q; want nobody, as the Deployment's runAsUser", cfg.Config.User)
	}
	if got := cfg.Config.Labels["org.opencontainers.image.version"]; got != "v1.2.3" {
		t.Errorf("version label %q", got)
	}

	files := extract(t, img)
	want := map[string]string{
		"etc/passwd":                      "-rw-r--r--",
		"tmp":                             "dtrwxrwxrwx",
		"usr/local/bin/source-controller": "-rwxr-xr-x",
	}
	for path, mode := range want {
		hdr, ok := files[path]
		if !ok {
			t.Errorf("%s is missing from the image; it holds %v", path, keys(files))
			continue
		}
		if got := hdr.FileInfo().Mode().String(); got != mode {
			t.Errorf("%s has mode %s; want %s", path, got, mode)
		}
	}
	if len(files) != 8 {
		t.Errorf("the image holds %v; want the binary, passwd, group and their folders only", keys(files))
	}
}

// Equal binaries give equal digests, so a rebuild does not pull anew; a
// changed binary changes the digest.
func TestImageIsReproducible(t *testing.T) {
	digest := func(img v1.Image) v1.Hash {
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a, b, c := digest(fakeImage(t, "one")), digest(fakeImage(t, "one")), digest(fakeImage(t, "two"))
	if a != b {
		t.Errorf("two builds of the same binary: %s and %s", a, b)
	}
	if a == c {
		t.Error("a different binary gave the same digest")
	}
}

// The tarball loads back as the same image (same config, so the same
// image ID docker shows) under its tag, and a push lands the very image, to
// the manifest digest, in a registry.
func TestTarballAndPush(t *testing.T) {
	img := fakeImage(t, "binary")
	want, _ := img.Digest()
	wantID, _ := img.ConfigName()

	path := filepath.Join(t.TempDir(), "images", "source-controller.tar")
	if err := WriteTarball(img, "ghcr.io/tidegitops/source-controller:v1.2.3", path); err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("ghcr.io/tidegitops/source-controller:v1.2.3")
	loaded, err := tarball.ImageFromPath(path, &tag)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := loaded.ConfigName(); got != wantID {
		t.Errorf("the tarball holds image %s; want %s", got, wantID)
	}

	reg := httptest.NewServer(registry.New(registry.Logger(stdlog.New(&testLog{t}, "registry: ", 0))))
	t.Cleanup(reg.Close)
	ref := strings.TrimPrefix(reg.URL, "http://") + "/tidegitops/source-controller:v1.2.3"
	if err := Push(context.Background(), img, ref, name.Insecure); err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Image(mustTag(t, ref))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := pulled.Digest(); got != want {
		t.Errorf("the registry holds %s; want %s", got, want)
	}
}

func extract(t *testing.T, img v1.Image) map[string]*tar.Header {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		files[hdr.Name] = hdr
	}
}

func keys(m map[string]*tar.Header) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustTag(t *testing.T, ref string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

// testLog sends the registry's request log to the test log, shown on
// failure.
type testLog struct{ t *testing.T }

func (w *testLog) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimSpace(p)))
	return len(p), nil
}

// BuildBinary makes a static Linux binary of a workspace's command, which
// is what an empty base can run.
func TestBuildBinaryIsStatic(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "hello-controller")
	for path, content := range map[string]string{
		"go.mod":                       "module example.com/hello\n\ngo 1.26\n",
		"cmd/hello-controller/main.go": "package main\n\nimport \"os/user\"\n\nfunc main() { _, _ = user.Current() }\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOWORK", "off")
	t.Setenv("CGO_ENABLED", "1") // BuildBinary must turn cgo off itself
	bin, err := BuildBinary(context.Background(), root, "hello-controller", runtime.GOARCH, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("not a Linux binary: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader, which the image does not have")
		}
	}
}
