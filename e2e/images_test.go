package e2e

import (
	"archive/tar"
	"context"
	"debug/elf"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/images"
	"github.com/tidegitops/tide/testkit"
)

// The controllers run out of their images: each image is assembled as
// `make images` assembles it (images.Image), from the static binaries the
// tests build, its file system unpacked, and the binaries at its
// entrypoints, which need nothing the empty base lacks, take a commit to the
// cluster. (images.BuildBinary, which adds -trimpath, has its own test.)
func TestControllersFromImages(t *testing.T) {
	g := NewWithT(t)
	bin := testkit.BuildControllers(t)
	rootfs := t.TempDir()
	for _, name := range testkit.Controllers {
		img, err := images.Image(images.Spec{Name: name, Binary: filepath.Join(bin, name), Arch: runtime.GOARCH})
		g.Expect(err).NotTo(HaveOccurred())
		cfg, err := img.ConfigFile()
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(cfg.Config.Entrypoint).To(Equal([]string{"/usr/local/bin/" + name}))
		unpack(t, mutate.Extract(img), rootfs)
		entrypoint := filepath.Join(rootfs, cfg.Config.Entrypoint[0])
		g.Expect(interpreter(t, entrypoint)).To(BeEmpty(), "%s needs a dynamic loader, which the image does not have", name)
	}

	git := testkit.StartGitServer(t)
	repo := git.NewRepo(t, "fleet")
	repo.Write("apps/web.yaml", configMapYAML("web", "from-image"))
	repo.Commit("first")
	testkit.StartControllersFrom(t, cp, filepath.Join(rootfs, "usr", "local", "bin"))

	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	g.Expect(cp.Client.Create(ctx, &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
		Spec:       sourcev1.GitRepositorySpec{URL: git.HTTPURL("fleet"), Interval: metav1.Duration{Duration: time.Hour}},
	})).To(Succeed())
	g.Expect(cp.Client.Create(ctx, &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval: metav1.Duration{Duration: time.Hour}, Path: "./apps", Prune: true, TargetNamespace: ns,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"},
		},
	})).To(Succeed())
	g.Eventually(func() string {
		cm := &corev1.ConfigMap{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "web"}, cm); err != nil {
			return err.Error()
		}
		return cm.Data["key"]
	}, time.Minute).Should(Equal("from-image"))
}

// unpack writes the regular files and folders of a flattened image into
// dir. The images are our own, so their paths are trusted.
func unpack(t *testing.T, rc io.ReadCloser, dir string) {
	t.Helper()
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		switch hdr.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			err = writeFile(path, tr, hdr.FileInfo().Mode())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(path string, r io.Reader, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// interpreter is the dynamic loader an ELF binary asks for; empty for a
// static binary.
func interpreter(t *testing.T, path string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, _ := io.ReadAll(p.Open())
			return string(b)
		}
	}
	return ""
}
