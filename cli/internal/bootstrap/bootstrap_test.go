package bootstrap_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/bootstrap"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// run bootstraps into namespace ns and returns the error and what it printed.
func run(t *testing.T, opts bootstrap.Options) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	opts.SkipComponentsWait = true
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Minute
	}
	err := bootstrap.Run(context.Background(), kube.WithConfig(cp.Config, opts.Namespace), output.New(&buf), opts)
	return buf.String(), err
}

// branchFiles reads branch of the bare repository at dir: its head, its
// commit count and its files.
func branchFiles(t *testing.T, dir, branch string) (string, int, map[string]string) {
	t.Helper()
	g := NewWithT(t)
	repo, err := gogit.PlainOpen(dir)
	g.Expect(err).NotTo(HaveOccurred())
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(branch), true)
	g.Expect(err).NotTo(HaveOccurred())
	commit, err := repo.CommitObject(ref.Hash())
	g.Expect(err).NotTo(HaveOccurred())
	count := 0
	g.Expect(object.NewCommitPreorderIter(commit, nil, nil).ForEach(func(*object.Commit) error {
		count++
		return nil
	})).To(Succeed())
	files := map[string]string{}
	iter, err := commit.Files()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(iter.ForEach(func(f *object.File) error {
		content, err := f.Contents()
		files[f.Name] = content
		return err
	})).To(Succeed())
	return ref.Hash().String(), count, files
}

// The whole loop, with both controllers as processes: bootstrap commits
// the three files to an empty repository, the cluster syncs itself from
// them, and a second run changes nothing and succeeds.
func TestRun_SelfManagingLoop(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	git := testkit.StartGitServer(t, testkit.WithBasicAuth("fleet-user", "s3cret"))
	git.NewRepo(t, "fleet")
	testkit.StartControllers(t, cp)
	opts := bootstrap.Options{
		URL: git.HTTPURL("fleet"), Path: "clusters/dev", Namespace: "flux-system",
		Username: "fleet-user", Password: "s3cret",
	}

	printed, err := run(t, opts)
	g.Expect(err).NotTo(HaveOccurred(), printed)
	head, commits, files := branchFiles(t, git.RepoDir("fleet"), "main")
	g.Expect(commits).To(Equal(1))
	g.Expect(files).To(HaveLen(3))
	g.Expect(files).To(HaveKeyWithValue("clusters/dev/flux-system/kustomization.yaml",
		"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n"))
	g.Expect(files["clusters/dev/flux-system/gotk-components.yaml"]).To(And(
		ContainSubstring("kind: CustomResourceDefinition"),
		ContainSubstring("name: source-controller"), ContainSubstring("name: kustomize-controller")))
	g.Expect(files["clusters/dev/flux-system/gotk-sync.yaml"]).To(And(
		ContainSubstring("url: "+git.HTTPURL("fleet")), ContainSubstring("branch: main"),
		ContainSubstring("path: ./clusters/dev"), ContainSubstring("prune: true"),
		ContainSubstring("secretRef:\n    name: flux-system")))

	key := client.ObjectKey{Namespace: "flux-system", Name: "flux-system"}
	source := &sourcev1.GitRepository{}
	g.Expect(cp.Client.Get(ctx, key, source)).To(Succeed())
	g.Expect(apimeta.IsStatusConditionTrue(source.Status.Conditions, "Ready")).To(BeTrue())
	g.Expect(source.Status.Artifact.Revision).To(Equal("main@sha1:" + head))
	ks := &kustomizev1.Kustomization{}
	g.Expect(cp.Client.Get(ctx, key, ks)).To(Succeed())
	g.Expect(apimeta.IsStatusConditionTrue(ks.Status.Conditions, "Ready")).To(BeTrue())
	g.Expect(ks.Status.LastAppliedRevision).To(Equal("main@sha1:" + head))
	secret := &corev1.Secret{}
	g.Expect(cp.Client.Get(ctx, key, secret)).To(Succeed())
	g.Expect(secret.Data).To(Equal(map[string][]byte{"username": []byte("fleet-user"), "password": []byte("s3cret")}))

	printed, err = run(t, opts)
	g.Expect(err).NotTo(HaveOccurred(), printed)
	g.Expect(printed).To(ContainSubstring("clusters/dev/flux-system is up to date"))
	again, commits, _ := branchFiles(t, git.RepoDir("fleet"), "main")
	g.Expect(again).To(Equal(head), "a second run makes no commit")
	g.Expect(commits).To(Equal(1))
}

func TestRun_WrongCredentials(t *testing.T) {
	g := NewWithT(t)
	git := testkit.StartGitServer(t, testkit.WithBasicAuth("fleet-user", "s3cret"))
	git.NewRepo(t, "fleet")
	url := git.HTTPURL("fleet")

	_, err := run(t, bootstrap.Options{URL: url, Path: "clusters/dev", Username: "fleet-user", Password: "wrong"})
	g.Expect(err).To(MatchError("authentication to " + url + " failed: check --username/--password or --token"))
	_, err = run(t, bootstrap.Options{URL: url, Path: "clusters/dev"})
	g.Expect(err).To(MatchError("authentication to " + url + " failed: check --username/--password or --token"))
}

func TestRun_RefusesForeignFiles(t *testing.T) {
	g := NewWithT(t)
	git := testkit.StartGitServer(t, testkit.WithBasicAuth("fleet-user", "s3cret"))
	repo := git.NewRepo(t, "fleet")
	repo.Write("clusters/dev/flux-system/my-app.yaml", "kind: ConfigMap\n").
		Write("clusters/dev/flux-system/notes/readme.md", "mine\n").
		Write("clusters/dev/apps.yaml", "kind: ConfigMap\n")
	head := repo.Commit("my files")

	_, err := run(t, bootstrap.Options{
		URL: git.HTTPURL("fleet"), Branch: "master", Path: "./clusters/dev/",
		Username: "fleet-user", Password: "s3cret",
	})
	g.Expect(err).To(MatchError("refusing to bootstrap: clusters/dev/flux-system holds files tide bootstrap did not write: " +
		"clusters/dev/flux-system/my-app.yaml, clusters/dev/flux-system/notes/readme.md (move them out of that folder)"))
	g.Expect(repo.Head()).To(Equal(head))
	got, _, _ := branchFiles(t, git.RepoDir("fleet"), "master")
	g.Expect(got).To(Equal(head), "nothing pushed")
}
