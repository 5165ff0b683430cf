package daytwotest

import (
	"context"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/cli/internal/commands"
	"github.com/tidegitops/tide/cli/internal/commands/delete"
	"github.com/tidegitops/tide/cli/internal/commands/events"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/commands/version"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
)

func TestDelete(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	ks := newKustomization(t, ns, "apps", "repo")

	r := run(t, delete.New, ns, "n\n", "kustomization", "apps")
	g.Expect(r.err).To(MatchError("not deleted: answer y to delete, or pass --silent"))
	g.Expect(r.stderr).To(ContainSubstring("Are you sure you want to delete kustomization 'apps' in namespace '" + ns + "'? [y/N]"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)).To(Succeed())

	r = run(t, delete.New, ns, "y\n", "kustomization", "apps")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(apierrors.IsNotFound(cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks))).To(BeTrue())

	repo := newGitRepo(t, ns, "repo")
	r = run(t, delete.New, ns, "", "source", "git", "repo", "--silent")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(Equal("► deleting source git repo in " + ns + " namespace\n✔ source git deleted\n"))
	g.Expect(apierrors.IsNotFound(cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo))).To(BeTrue())

	r = run(t, delete.New, ns, "", "source", "git", "repo", "--silent")
	g.Expect(r.err).To(MatchError("source git 'repo' not found in namespace '" + ns + "': list them with 'tide get sources git -A'"))
}

func newEvent(t *testing.T, ns, kind, name, reason, msg string, at time.Time) {
	t.Helper()
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{GenerateName: strings.ToLower(name) + "-", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: kind, Name: name, Namespace: ns, APIVersion: kustomizev1.GroupVersion.String()},
		Reason:         reason, Message: msg, Type: corev1.EventTypeNormal,
		FirstTimestamp: metav1.NewTime(at), LastTimestamp: metav1.NewTime(at), Count: 1,
		Source: corev1.EventSource{Component: "kustomize-controller"},
	}
	if err := cp.Client.Create(context.Background(), ev); err != nil {
		t.Fatalf("create event: %v", err)
	}
}

func TestEvents(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	now := time.Now()
	newEvent(t, ns, "Kustomization", "apps", "ReconciliationSucceeded", "applied main@sha1:2", now.Add(-20*time.Minute))
	newEvent(t, ns, "Kustomization", "apps", "Progressing", "applying main@sha1:1", now.Add(-time.Hour))
	newEvent(t, ns, "GitRepository", "apps", "NewArtifact", "stored artifact", now.Add(-30*time.Minute))

	r := run(t, events.New, ns, "", "--for", "ks/apps")
	g.Expect(r.err).NotTo(HaveOccurred())
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	g.Expect(lines).To(HaveLen(3))
	g.Expect(strings.Fields(lines[0])).To(Equal([]string{"LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}))
	g.Expect(lines[1]).To(MatchRegexp(`^60m\s+Normal\s+Progressing\s+Kustomization/apps\s+applying main@sha1:1$`))
	g.Expect(lines[2]).To(MatchRegexp(`^20m\s+Normal\s+ReconciliationSucceeded\s+Kustomization/apps\s+applied main@sha1:2$`))

	r = run(t, events.New, ns, "")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(strings.Split(strings.TrimSpace(r.stdout), "\n")).To(HaveLen(4))
	g.Expect(r.stdout).To(ContainSubstring("GitRepository/apps"))

	r = run(t, events.New, ns, "", "-A", "--for", "GitRepository/apps")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(MatchRegexp(`^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n`))
	g.Expect(r.stdout).To(MatchRegexp(`(?m)^` + ns + `\s+30m\s+Normal\s+NewArtifact\s+GitRepository/apps\s+stored artifact$`))
	g.Expect(r.stdout).NotTo(ContainSubstring("Kustomization/apps"))

	r = run(t, events.New, ns, "", "--for", "apps")
	g.Expect(r.err).To(MatchError(`--for "apps": use Kind/name, e.g. --for Kustomization/apps`))
}

func TestVersion(t *testing.T) {
	g := NewWithT(t)
	r := run(t, version.New, "flux-system", "", "--client")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(Equal("tide: dev\n"))
	r = run(t, version.New, "flux-system", "")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(MatchRegexp(`^tide: dev\nkubernetes: v1\.\d+`))
}

func TestCompletion(t *testing.T) {
	g := NewWithT(t)
	for shell, marker := range map[string]string{"bash": "__start_tide", "zsh": "#compdef tide", "fish": "complete -c tide"} {
		r := runCtx(context.Background(), commands.NewRoot(), "", nil, "completion", shell)
		g.Expect(r.err).NotTo(HaveOccurred(), shell)
		g.Expect(r.stdout).To(ContainSubstring(shell+" completion"), shell)
		g.Expect(r.stdout).To(ContainSubstring(marker), shell)
	}

	// Names complete from the cluster.
	ns := testkit.NewNamespace(t, cp.Client)
	newKustomization(t, ns, "apps", "repo")
	newKustomization(t, ns, "infra", "repo")
	opts := kube.WithConfig(cp.Config, ns)
	root := &cobra.Command{Use: "tide"}
	opts.BindFlags(root.PersistentFlags())
	root.AddCommand(get.New(opts), reconcile.New(opts))
	r := runCtx(context.Background(), root, "", nil, "__complete", "reconcile", "ks", "-n", ns, "a")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(strings.Split(r.stdout, "\n")[:2]).To(Equal([]string{"apps", ":4"}))
}
