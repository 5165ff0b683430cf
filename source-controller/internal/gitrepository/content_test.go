package gitrepository

import (
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// The artifact holds the files Flux's would: its default exclusions only
// while no .sourceignore nor spec.ignore gives a pattern; Git's own files
// out unless a pattern brings them back; spec.ignore after every
// .sourceignore, so it can overrule one; and a '!' pattern keeps a file
// even below an excluded folder.
func TestReconcileIgnoreRules(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "plain").WriteFiles(map[string]string{
		"apps/app.yaml":   "app\n",
		"apps/logo.png":   "png\n",
		".github/ci.yaml": "ci\n",
		".gitignore":      "bin/\n",
		"docs/readme.md":  "docs\n",
	}).Commit("content")
	srv.NewRepo(t, "sourceignore").WriteFiles(map[string]string{
		"apps/app.yaml":      "app\n",
		"apps/logo.png":      "png\n",
		".sourceignore":      "drafts/\n",
		"drafts/x.yaml":      "draft\n",
		"drafts/keep.yaml":   "keep\n",
		"apps/.sourceignore": "*.md\n",
		"apps/readme.md":     "readme\n",
		".gitattributes":     "* text=auto\n",
	}).Commit("content")
	ns := testkit.NewNamespace(t, env.CP.Client)
	ptr := func(s string) *string { return &s }

	tests := []struct {
		name    string
		repo    string
		ignore  *string
		present []string
		absent  []string
	}{
		{"defaults", "plain", nil,
			[]string{"apps/app.yaml", "docs/readme.md"}, []string{"apps/logo.png", ".github/ci.yaml", ".gitignore"}},
		{"empty spec.ignore keeps the defaults", "plain", ptr(""),
			[]string{"apps/app.yaml"}, []string{"apps/logo.png", ".github/ci.yaml"}},
		{"spec.ignore replaces the defaults, not Git's files", "plain", ptr("docs/\n"),
			[]string{"apps/app.yaml", "apps/logo.png", ".github/ci.yaml"}, []string{"docs/readme.md", ".gitignore"}},
		{"spec.ignore brings back a Git file", "plain", ptr("!.gitignore\n"),
			[]string{".gitignore", "apps/logo.png"}, nil},
		{"spec.ignore keeps one file of an excluded folder", "plain", ptr("/*\n!/apps\n/apps/*.png\n.github/\n!.github/ci.yaml\n"),
			[]string{"apps/app.yaml", ".github/ci.yaml"}, []string{"apps/logo.png", "docs/readme.md", ".gitignore"}},
		{".sourceignore replaces the defaults", "sourceignore", nil,
			[]string{"apps/app.yaml", "apps/logo.png"}, []string{"drafts/x.yaml", "drafts/keep.yaml", "apps/readme.md", ".gitattributes"}},
		{"spec.ignore overrules .sourceignore", "sourceignore", ptr("!drafts/keep.yaml\n!apps/readme.md\n"),
			[]string{"drafts/keep.yaml", "apps/readme.md"}, []string{"drafts/x.yaml", ".gitattributes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := newGitRepository(ns, srv.HTTPURL(tt.repo), func(o *sourcev1.GitRepository) { o.Spec.Ignore = tt.ignore })
			create(t, obj)
			waitReady(t, obj)
			files := tarFiles(t, download(t, obj.Status.Artifact))
			for _, p := range tt.present {
				if _, ok := files[p]; !ok {
					t.Errorf("%s missing from the artifact", p)
				}
			}
			for _, p := range tt.absent {
				if _, ok := files[p]; ok {
					t.Errorf("%s is in the artifact, want it ignored", p)
				}
			}
		})
	}
}

func TestReconcileInclude(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "shared").Write("base/cm.yaml", "shared: 1\n").Commit("shared")
	srv.NewRepo(t, "app").Write("app.yaml", "app\n").Commit("app")
	ns := testkit.NewNamespace(t, env.CP.Client)

	app := newGitRepository(ns, srv.HTTPURL("app"), func(o *sourcev1.GitRepository) {
		o.Spec.Include = []sourcev1.GitRepositoryInclude{{
			GitRepositoryRef: meta.LocalObjectReference{Name: "shared"}, FromPath: "base", ToPath: "vendor/shared",
		}}
	})
	create(t, app)
	// The included GitRepository does not exist yet: the includer waits.
	waitNotReady(t, app, "NotFound")
	if !conditions.IsTrue(app, sourcev1.IncludeUnavailableCondition) {
		t.Errorf("IncludeUnavailable not True: %+v", app.Status.Conditions)
	}

	shared := newGitRepository(ns, srv.HTTPURL("shared"))
	shared.GenerateName, shared.Name = "", "shared"
	create(t, shared)
	waitReady(t, shared)
	waitReady(t, app)
	files := tarFiles(t, download(t, app.Status.Artifact))
	if files["vendor/shared/cm.yaml"] != "shared: 1\n" || files["app.yaml"] != "app\n" {
		t.Errorf("artifact files = %v, want app.yaml and vendor/shared/cm.yaml", files)
	}
	if len(app.Status.IncludedArtifacts) != 1 || app.Status.IncludedArtifacts[0].Digest != shared.Status.Artifact.Digest {
		t.Errorf("includedArtifacts = %+v, want the shared artifact", app.Status.IncludedArtifacts)
	}
	if conditions.Has(app, sourcev1.IncludeUnavailableCondition) {
		t.Errorf("IncludeUnavailable still set: %+v", app.Status.Conditions)
	}
}

func TestReconcileVerify(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "signed")
	key, publicKey := testkit.NewPGPKey(t, "release")
	signed := repo.Write("a.yaml", "a: 1\n").CommitSigned("signed", key)
	ns := testkit.NewNamespace(t, env.CP.Client)
	createSecret(t, ns, "trusted", map[string][]byte{"release.asc": publicKey})

	obj := newGitRepository(ns, srv.HTTPURL("signed"), func(o *sourcev1.GitRepository) {
		o.Spec.Verification = &sourcev1.GitRepositoryVerification{Mode: sourcev1.ModeGitHEAD, SecretRef: meta.LocalObjectReference{Name: "trusted"}}
	})
	create(t, obj)
	waitReady(t, obj)
	if !conditions.IsTrue(obj, sourcev1.SourceVerifiedCondition) || obj.Status.Artifact.Revision != "master@sha1:"+signed {
		t.Fatalf("signed commit not verified: %+v", obj.Status.Conditions)
	}
	good := *obj.Status.Artifact

	repo.Write("a.yaml", "a: evil\n").Commit("unsigned")
	requestReconcileNoWait(t, obj)
	waitNotReady(t, obj, sourcev1.VerificationError)
	if c := conditions.Get(obj, sourcev1.SourceVerifiedCondition); c == nil || c.Status != metav1.ConditionFalse {
		t.Errorf("SourceVerified = %+v, want False", c)
	}
	if !sameArtifact(obj.Status.Artifact, &good) {
		t.Errorf("an unverified commit replaced the artifact: %+v", obj.Status.Artifact)
	}
	if got := tarFiles(t, download(t, &good))["a.yaml"]; got != "a: 1\n" {
		t.Errorf("served a.yaml = %q, want the verified content", got)
	}
}

// Symlinks are archived as Flux archives them: one to a file inside the
// repository as that file, one to a folder inside as a copy of the folder
// (its .sourceignore applying there too), any other left out. Git stores a
// link as a blob of mode 120000: the artifact is the same, byte for byte,
// whether it is written from Git's object store or from a checked-out
// worktree (recurseSubmodules needs one).
func TestReconcileSymlinks(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "links").WriteFiles(map[string]string{
		"apps/real.yaml":     "real\n",
		"base/cm.yaml":       "cm\n",
		"base/.sourceignore": "*.md\n",
		"base/readme.md":     "readme\n",
	}).
		Symlink("real.yaml", "apps/alias.yaml").
		Symlink("../../../../etc/passwd", "apps/passwd").
		Symlink("/etc/hostname", "apps/hostname").
		Symlink("../../base", "overlays/prod/base").
		Symlink("..", "overlays/up").
		Symlink("missing", "overlays/dangling").
		Commit("links")
	ns := testkit.NewNamespace(t, env.CP.Client)
	fromStore := newGitRepository(ns, srv.HTTPURL("links"))
	fromWorktree := newGitRepository(ns, srv.HTTPURL("links"), func(o *sourcev1.GitRepository) { o.Spec.RecurseSubmodules = true })
	create(t, fromStore)
	create(t, fromWorktree)
	waitReady(t, fromStore)
	waitReady(t, fromWorktree)

	files := tarFiles(t, download(t, fromStore.Status.Artifact))
	for p, want := range map[string]string{
		"apps/alias.yaml":            "real\n",
		"overlays/prod/base/cm.yaml": "cm\n",
	} {
		if files[p] != want {
			t.Errorf("%s = %q, want %q", p, files[p], want)
		}
	}
	for p := range files {
		switch {
		case p == "apps/passwd" || p == "apps/hostname":
			t.Errorf("%s, a link leading outside the checkout, is in the artifact", p)
		case strings.HasSuffix(p, "readme.md"):
			t.Errorf("%s is in the artifact: base/.sourceignore excludes it, below the link too", p)
		case strings.HasPrefix(p, "overlays/up/") || strings.HasPrefix(p, "overlays/dangling"):
			t.Errorf("%s is in the artifact: a link to its own parent, or to nothing, is left out", p)
		}
	}
	if fromStore.Status.Artifact.Digest != fromWorktree.Status.Artifact.Digest {
		t.Errorf("digest %s from the object store, %s from a worktree; want the same artifact",
			fromStore.Status.Artifact.Digest, fromWorktree.Status.Artifact.Digest)
	}
}
