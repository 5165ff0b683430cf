package build

import (
	"os"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
)

func TestConfinedFS(t *testing.T) {
	g := NewWithT(t)
	root, err := filepath.EvalSymlinks(t.TempDir())
	g.Expect(err).NotTo(HaveOccurred())
	outside := t.TempDir()
	g.Expect(os.MkdirAll(filepath.Join(root, "apps"), 0o755)).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(root, "apps", "cm.yaml"), []byte("on disk"), 0o644)).To(Succeed())
	g.Expect(os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644)).To(Succeed())
	g.Expect(os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "apps", "link"))).To(Succeed())
	fsys := newConfinedFS(root)
	apps := filepath.Join(root, "apps")

	// Writes land in the overlay, never on disk, and reads see them.
	kfile := filepath.Join(apps, "kustomization.yaml")
	g.Expect(fsys.WriteFile(kfile, []byte("resources: []"))).To(Succeed())
	g.Expect(kfile).NotTo(BeAnExistingFile())
	g.Expect(fsys.ReadFile(kfile)).To(Equal([]byte("resources: []")))
	g.Expect(fsys.Exists(kfile)).To(BeTrue())
	g.Expect(fsys.IsDir(kfile)).To(BeFalse())
	g.Expect(fsys.ReadDir(apps)).To(Equal([]string{"cm.yaml", "kustomization.yaml", "link"}))
	g.Expect(fsys.Glob(filepath.Join(apps, "*"))).To(Equal([]string{
		filepath.Join(apps, "cm.yaml"), filepath.Join(apps, "kustomization.yaml"),
	}), "the symlink leading outside is not listed")
	dir, file, err := fsys.CleanedAbs(kfile)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(dir)).To(Equal(apps))
	g.Expect(file).To(Equal("kustomization.yaml"))
	f, err := fsys.Open(kfile)
	g.Expect(err).NotTo(HaveOccurred())
	info, err := f.Stat()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(info.Size()).To(Equal(int64(len("resources: []"))))
	g.Expect(f.Close()).To(Succeed())

	// The disk is never changed.
	g.Expect(fsys.WriteFile(filepath.Join(root, "nope", "x.yaml"), nil)).NotTo(Succeed())
	g.Expect(fsys.WriteFile(filepath.Join(outside, "x"), nil)).NotTo(Succeed())
	_, err = fsys.Create(filepath.Join(apps, "new"))
	g.Expect(err).To(MatchError(errReadOnly))
	g.Expect(fsys.Mkdir(filepath.Join(apps, "d"))).To(MatchError(errReadOnly))
	g.Expect(fsys.MkdirAll(filepath.Join(apps, "d"))).To(MatchError(errReadOnly))
	g.Expect(fsys.RemoveAll(apps)).To(MatchError(errReadOnly))
	g.Expect(fsys.RemoveAll(filepath.Join(os.TempDir(), "kustomize-123"))).To(MatchError(errReadOnly),
		"clone directories are only removed once clones are allowed")
	g.Expect(filepath.Join(apps, "cm.yaml")).To(BeAnExistingFile())
	g.Expect(fsys.RemoveAll(kfile)).To(Succeed(), "overlay files can be removed")
	g.Expect(fsys.Exists(kfile)).To(BeFalse())

	// Nothing outside the root is read, through a path or a symlink.
	for _, p := range []string{
		filepath.Join(outside, "secret"),
		filepath.Join(apps, "..", "..", filepath.Base(outside), "secret"),
		filepath.Join(apps, "link"),
		"/etc/passwd",
	} {
		_, err := fsys.ReadFile(p)
		g.Expect(err).To(MatchError(errOutsideRoot), p)
		g.Expect(fsys.Exists(p)).To(BeFalse(), p)
		_, _, err = fsys.CleanedAbs(p)
		g.Expect(err).To(HaveOccurred(), p)
		_, err = fsys.Open(p)
		g.Expect(err).To(HaveOccurred(), p)
	}
	_, err = fsys.ReadDir(outside)
	g.Expect(err).To(MatchError(errOutsideRoot))
}

func TestConfinedFS_CloneDirectories(t *testing.T) {
	g := NewWithT(t)
	root, err := filepath.EvalSymlinks(t.TempDir())
	g.Expect(err).NotTo(HaveOccurred())
	mkTemp := func(pattern string) string {
		dir, err := os.MkdirTemp("", pattern)
		g.Expect(err).NotTo(HaveOccurred())
		t.Cleanup(func() { os.RemoveAll(dir) })
		dir, err = filepath.EvalSymlinks(dir)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(os.WriteFile(filepath.Join(dir, "file.yaml"), []byte(filepath.Base(dir)), 0o644)).To(Succeed())
		return dir
	}
	// Directories that exist before the run: another build's clone, and
	// another program's directory with a similar name.
	earlier := mkTemp("kustomize-")
	artifacts := mkTemp("kustomize-artifacts-")

	fsys := newConfinedFS(root)
	clone := mkTemp("kustomize-")
	g.Expect(fsys.ReadFile(filepath.Join(clone, "file.yaml"))).Error().To(MatchError(errOutsideRoot),
		"clones are refused until allowed")

	g.Expect(fsys.allowClones()).To(Succeed())
	clone = mkTemp("kustomize-")
	later := mkTemp("kustomize-")
	g.Expect(os.Symlink(filepath.Join(later, "file.yaml"), filepath.Join(clone, "link.yaml"))).To(Succeed())
	g.Expect(os.Symlink("/etc/passwd", filepath.Join(clone, "passwd.yaml"))).To(Succeed())

	g.Expect(fsys.ReadFile(filepath.Join(clone, "file.yaml"))).To(Equal([]byte(filepath.Base(clone))))
	for _, p := range []string{
		filepath.Join(earlier, "file.yaml"),
		filepath.Join(artifacts, "file.yaml"),
		filepath.Join(clone, "link.yaml"), // a symlink may not leave its clone, even for another clone
		filepath.Join(clone, "passwd.yaml"),
	} {
		g.Expect(fsys.ReadFile(p)).Error().To(MatchError(errOutsideRoot), p)
	}
	g.Expect(fsys.WriteFile(filepath.Join(clone, "x.yaml"), nil)).To(MatchError(errReadOnly))
	g.Expect(fsys.RemoveAll(filepath.Join(clone, "file.yaml"))).To(MatchError(errReadOnly))
	g.Expect(fsys.RemoveAll(earlier)).To(MatchError(errReadOnly))
	g.Expect(fsys.RemoveAll(artifacts)).To(MatchError(errReadOnly))
	g.Expect(fsys.RemoveAll(clone)).To(Succeed())
	g.Expect(clone).NotTo(BeADirectory())
	g.Expect(earlier).To(BeADirectory())
	g.Expect(artifacts).To(BeADirectory())
}
