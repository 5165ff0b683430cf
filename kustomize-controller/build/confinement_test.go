package build_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/tidegitops/tide/kustomize-controller/build"
)

// secret is the marker of the files outside the root: it must never show up
// in an object or an error.
const secret = "TOP-SECRET-CONTENT"

// outsideTree writes, outside any build root, a valid ConfigMap holding the
// secret, a patch, a kustomization folder and a plain file, so that a
// build that could read them would succeed and leak them.
func outsideTree(t *testing.T) string {
	return writeTree(t, map[string]string{
		"secret.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaked\ndata:\n  k: " + secret + "\n",
		"patch.yaml":              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  leaked: " + secret + "\n",
		"secret.txt":              secret,
		"base/kustomization.yaml": "resources: [../secret.yaml]\n",
	})
}

func TestBuild_RefusesToReadOutsideRoot(t *testing.T) {
	outside := outsideTree(t)
	// rel climbs from root/apps to the outside tree.
	rel := func(root, target string) string {
		r, err := filepath.Rel(filepath.Join(root, "apps"), filepath.Join(outside, target))
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	passwd, _ := os.ReadFile("/etc/passwd")
	firstLine, _, _ := strings.Cut(string(passwd), "\n")

	tests := []struct {
		name  string
		setup func(t *testing.T, root string)
		path  string
	}{
		{
			name: "resource climbing out with ..",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [" + rel(root, "secret.yaml") + "]\n"})
			},
		},
		{
			name: "resource at an absolute path",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [" + filepath.Join(outside, "secret.yaml") + "]\n"})
			},
		},
		{
			name: "resources: [../../etc/passwd]",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [" +
					strings.Repeat("../", 30) + "etc/passwd]\n"})
			},
		},
		{
			name: "base folder outside",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [" + rel(root, "base") + "]\n"})
			},
		},
		{
			name: "patch file outside",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{
					"apps/kustomization.yaml": "resources: [cm.yaml]\npatches: [{path: " + rel(root, "patch.yaml") + "}]\n",
					"apps/cm.yaml":            configMap("cm"),
				})
			},
		},
		{
			name: "configMapGenerator file outside",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "configMapGenerator:\n- name: gen\n  files: [" + rel(root, "secret.txt") + "]\n"})
			},
		},
		{
			name: "symlink to a file outside, listed",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [link.yaml]\n"})
				symlink(t, root, "apps/link.yaml", filepath.Join(outside, "secret.yaml"))
			},
		},
		{
			name: "symlink to /etc/passwd, listed",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [passwd.yaml]\n"})
				symlink(t, root, "apps/passwd.yaml", "/etc/passwd")
			},
		},
		{
			name: "symlink to a file outside, in a folder without kustomization",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/cm.yaml": configMap("cm")})
				symlink(t, root, "apps/link.yaml", filepath.Join(outside, "secret.yaml"))
			},
		},
		{
			name: "symlink to a folder outside",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [base]\n"})
				symlink(t, root, "apps/base", filepath.Join(outside, "base"))
			},
		},
		{
			name: "relative symlink climbing out",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [link.yaml]\n"})
				symlink(t, root, "apps/link.yaml", rel(root, "secret.yaml"))
			},
		},
		{
			name: "another build's clone of a remote base",
			setup: func(t *testing.T, root string) {
				clone, err := os.MkdirTemp("", "kustomize-")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.RemoveAll(clone) })
				writeFiles(t, clone, map[string]string{"secret.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {k: " + secret + "}\n"})
				r, err := filepath.Rel(filepath.Join(root, "apps"), filepath.Join(clone, "secret.yaml"))
				if err != nil {
					t.Fatal(err)
				}
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [" + filepath.ToSlash(r) + "]\n"})
			},
		},
		{
			name: "dangling symlink pointing outside",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [link.yaml]\n"})
				symlink(t, root, "apps/link.yaml", filepath.Join(outside, "not-yet.yaml"))
			},
		},
		{
			name: "symlink loop",
			setup: func(t *testing.T, root string) {
				writeFiles(t, root, map[string]string{"apps/kustomization.yaml": "resources: [a.yaml]\n"})
				symlink(t, root, "apps/a.yaml", "b.yaml")
				symlink(t, root, "apps/b.yaml", "a.yaml")
			},
		},
		{
			name: "kustomization file is a symlink outside",
			setup: func(t *testing.T, root string) {
				symlink(t, root, "apps/kustomization.yaml", filepath.Join(outside, "base", "kustomization.yaml"))
			},
		},
		{
			name: "spec.path is a symlink outside",
			setup: func(t *testing.T, root string) {
				symlink(t, root, "apps", filepath.Join(outside, "base"))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			root := t.TempDir()
			tt.setup(t, root)
			before := snapshot(t, root)

			objs, err := build.Build(root, build.Options{Path: "apps", NamePrefix: "x-"})
			g.Expect(err).To(HaveOccurred(), "built %v", ids(objs))
			t.Log(err)
			g.Expect(err.Error()).NotTo(ContainSubstring(secret))
			if firstLine != "" {
				g.Expect(err.Error()).NotTo(ContainSubstring(firstLine))
			}
			g.Expect(snapshot(t, root)).To(Equal(before))
		})
	}
}

func TestBuild_SymlinksInsideRootWork(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"shared/cm.yaml":          configMap("shared"),
		"apps/kustomization.yaml": "resources: [link.yaml, base]\n",
		"base/kustomization.yaml": "resources: [deploy.yaml]\n",
		"base/deploy.yaml":        deployment,
	})
	symlink(t, root, "apps/link.yaml", "../shared/cm.yaml")
	symlink(t, root, "apps/base", filepath.Join(root, "base"))
	objs, err := build.Build(root, build.Options{Path: "apps"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(Equal([]string{"ConfigMap/shared", "Deployment/app"}))
}

func TestBuild_RootBehindSymlink(t *testing.T) {
	g := NewWithT(t)
	real := writeTree(t, map[string]string{"apps/kustomization.yaml": "resources: [missing.yaml]\n"})
	link := filepath.Join(t.TempDir(), "root")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	_, err := build.Build(link, build.Options{Path: "apps"})
	g.Expect(err).To(MatchError(ContainSubstring("kustomize build of 'apps' failed")))
	g.Expect(err.Error()).NotTo(ContainSubstring(real))
	g.Expect(err.Error()).NotTo(ContainSubstring(link))
}

func TestBuild_NoRemoteBases(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{
			name:  "github resource",
			files: map[string]string{"apps/kustomization.yaml": "resources:\n- github.com/org/repo//deploy?ref=v1.0.0\n"},
			want:  "'apps/kustomization.yaml' refers to the remote resource 'github.com/org/repo//deploy?ref=v1.0.0'",
		},
		{
			name:  "https git resource",
			files: map[string]string{"apps/kustomization.yaml": "resources: [https://gitlab.example.com/org/repo.git//base]\n"},
			want:  "https://gitlab.example.com/org/repo.git//base",
		},
		{
			name:  "ssh resource",
			files: map[string]string{"apps/kustomization.yaml": "resources: [git@github.com:org/repo//base]\n"},
			want:  "git@github.com:org/repo//base",
		},
		{
			name:  "http file resource",
			files: map[string]string{"apps/kustomization.yaml": "resources: [https://example.com/manifests/app.yaml]\n"},
			want:  "https://example.com/manifests/app.yaml",
		},
		{
			name:  "remote component",
			files: map[string]string{"apps/kustomization.yaml": "resources: []\ncomponents:\n- github.com/org/repo/components/x?ref=main\n"},
			want:  "remote component",
		},
		{
			name:  "remote patch file",
			files: map[string]string{"apps/kustomization.yaml": "patches: [{path: 'https://example.com/patch.yaml'}]\n"},
			want:  "remote patch file",
		},
		{
			name: "remote base in a local base",
			files: map[string]string{
				"apps/kustomization.yaml": "resources: [../base]\n",
				"base/kustomization.yaml": "resources: [ssh://git@example.com/org/repo.git]\n",
			},
			want: "'base/kustomization.yaml' refers to the remote resource",
		},
		{
			name: "remote base in a nested folder of a generated kustomization",
			files: map[string]string{
				"apps/cm.yaml":                   configMap("cm"),
				"apps/nested/kustomization.yaml": "resources:\n- github.com/org/repo?ref=main\n",
			},
			want: "'apps/nested/kustomization.yaml' refers to the remote resource",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			root := writeTree(t, tt.files)
			_, err := build.Build(root, build.Options{Path: "apps", NoRemoteBases: true})
			g.Expect(err).To(MatchError(build.ErrRemoteBase))
			t.Log(err)
			g.Expect(err.Error()).To(ContainSubstring(tt.want))
			g.Expect(err.Error()).To(ContainSubstring("--no-remote-bases"))
		})
	}
}

func TestBuild_NoRemoteBasesAllowsLocalBases(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"apps/kustomization.yaml": "resources: [../base, cm.yaml]\n",
		"apps/cm.yaml":            configMap("cm"),
		"base/kustomization.yaml": "resources: [deploy.yaml]\n",
		"base/deploy.yaml":        deployment,
	})
	objs, err := build.Build(root, build.Options{Path: "apps", NoRemoteBases: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(Equal([]string{"ConfigMap/cm", "Deployment/app"}))
}

// TestBuild_RemoteGitBase clones a base from a local repository through a
// file:// URL, the way kustomize fetches remote bases, without a network.
func TestBuild_RemoteGitBase(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed on PATH (kustomize clones remote bases with it; .ci/run installs it)")
	}
	g := NewWithT(t)
	repo := writeTree(t, map[string]string{
		"base/kustomization.yaml": "resources: [deploy.yaml]\n",
		"base/deploy.yaml":        deployment,
	})
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "."},
		{"-c", "user.name=tide", "-c", "user.email=tide@example.com", "commit", "-q", "-m", "base"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		out, err := cmd.CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), string(out))
	}
	root := writeTree(t, map[string]string{
		"apps/kustomization.yaml": "resources: [file://" + filepath.ToSlash(repo) + "//base, cm.yaml]\n",
		"apps/cm.yaml":            configMap("cm"),
	})

	objs, err := build.Build(root, build.Options{Path: "apps", NamePrefix: "r-"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(Equal([]string{"ConfigMap/r-cm", "Deployment/r-app"}))

	_, err = build.Build(root, build.Options{Path: "apps", NoRemoteBases: true})
	g.Expect(err).To(MatchError(build.ErrRemoteBase))
}
