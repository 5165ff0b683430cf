package daytwotest

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/commands/resume"
	"github.com/tidegitops/tide/cli/internal/commands/suspend"
	"github.com/tidegitops/tide/testkit"
)

func TestReconcileSourceGit(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	repo := newGitRepo(t, ns, "app")
	fakeController(t, repo, "main@sha1:abcd", metav1.ConditionTrue, "stored artifact")

	r := run(t, reconcile.New, ns, "", "source", "git", "app")
	g.Expect(r.err).NotTo(HaveOccurred())
	assertPlain(t, r.stderr)
	g.Expect(r.stderr).To(Equal("► annotating GitRepository app in " + ns + " namespace\n" +
		"✔ GitRepository annotated\n" +
		"◎ waiting for GitRepository reconciliation\n" +
		"✔ GitRepository reconciliation completed\n" +
		"✔ fetched revision main@sha1:abcd\n"))
	g.Expect(cp.Client.Get(context.Background(), client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	g.Expect(repo.Annotations).To(HaveKey(meta.ReconcileRequestAnnotation))
	g.Expect(repo.Status.LastHandledReconcileAt).To(Equal(repo.Annotations[meta.ReconcileRequestAnnotation]))
}

func TestReconcileKustomizationWithSource(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	repo := newGitRepo(t, ns, "repo")
	ks := newKustomization(t, ns, "apps", "repo")
	fakeController(t, repo, "main@sha1:5555", metav1.ConditionTrue, "stored artifact")
	fakeController(t, ks, "main@sha1:5555", metav1.ConditionTrue, "Applied revision: main@sha1:5555")

	r := run(t, reconcile.New, ns, "", "ks", "apps", "--with-source")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(MatchRegexp(`(?s)annotating GitRepository repo.*fetched revision main@sha1:5555\n.*annotating Kustomization apps.*✔ applied revision main@sha1:5555\n$`))
}

func TestReconcileFailures(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	failing := newKustomization(t, ns, "failing", "repo")
	fakeController(t, failing, "", metav1.ConditionFalse, "kustomize build failed: accumulating resources: missing.yaml not found")
	newKustomization(t, ns, "idle", "repo")
	newKustomization(t, ns, "paused", "repo", func(k *kustomizev1.Kustomization) { k.Spec.Suspend = true })

	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"ready false", []string{"kustomization", "failing"},
			"kustomization 'failing' is not ready: kustomize build failed: accumulating resources: missing.yaml not found (see 'tide events --for Kustomization/failing')"},
		{"timeout", []string{"kustomization", "idle", "--timeout", "1s"},
			"timed out after 1s waiting for kustomization 'idle' to reconcile (no controller has reported on it yet): check that Tide's controllers run with 'tide check', see 'tide events --for Kustomization/idle', or raise --timeout"},
		{"not found", []string{"kustomization", "nope"},
			"kustomization 'nope' not found in namespace '" + ns + "': list them with 'tide get kustomizations -A'"},
		{"source not found", []string{"source", "git", "nope"},
			"source git 'nope' not found in namespace '" + ns + "': list them with 'tide get sources git -A'"},
		{"suspended", []string{"kustomization", "paused"},
			"kustomization 'paused' is suspended: resume it with 'tide resume kustomization paused -n " + ns + "'"},
		{"with-source, source missing", []string{"kustomization", "idle", "--with-source"},
			"source git 'repo' not found in namespace '" + ns + "': list them with 'tide get sources git -A'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, reconcile.New, ns, "", tt.args...)
			NewWithT(t).Expect(r.err).To(MatchError(tt.wantErr))
		})
	}
}

func TestSuspendResume(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	ks := newKustomization(t, ns, "apps", "repo")
	fakeController(t, ks, "main@sha1:7777", metav1.ConditionTrue, "Applied revision: main@sha1:7777")

	r := run(t, suspend.New, ns, "", "kustomization", "apps")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(Equal("► suspending kustomization apps in " + ns + " namespace\n✔ kustomization suspended\n"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)).To(Succeed())
	g.Expect(ks.Spec.Suspend).To(BeTrue())

	r = run(t, resume.New, ns, "", "ks", "apps")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("✔ kustomization resumed\n"))
	g.Expect(r.stderr).To(HaveSuffix("✔ applied revision main@sha1:7777\n"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)).To(Succeed())
	g.Expect(ks.Spec.Suspend).To(BeFalse())
}

func TestSuspendResumeAll(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	repos := []*sourcev1.GitRepository{newGitRepo(t, ns, "a"), newGitRepo(t, ns, "b")}
	for _, repo := range repos {
		fakeController(t, repo, "main@sha1:8888", metav1.ConditionTrue, "stored artifact")
	}

	r := run(t, suspend.New, ns, "", "source", "git", "--all")
	g.Expect(r.err).NotTo(HaveOccurred())
	for _, repo := range repos {
		g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo.Spec.Suspend).To(BeTrue(), repo.Name)
	}
	r = run(t, resume.New, ns, "", "source", "git", "--all")
	g.Expect(r.err).NotTo(HaveOccurred())
	for _, repo := range repos {
		g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo.Spec.Suspend).To(BeFalse(), repo.Name)
	}

	r = run(t, suspend.New, ns, "", "source", "git")
	g.Expect(r.err).To(MatchError("give the source git's name, or --all"))
	r = run(t, suspend.New, testkit.NewNamespace(t, cp.Client), "", "ks", "--all")
	g.Expect(r.err).To(MatchError(ContainSubstring("no kustomization found in namespace")))
}
