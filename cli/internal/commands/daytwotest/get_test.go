package daytwotest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/testkit"
)

// twoRepos makes a ready GitRepository "app" and a suspended, failing "lib".
func twoRepos(t *testing.T, ns string) {
	app := newGitRepo(t, ns, "app")
	setStatus(t, app, "", "main@sha1:1111", metav1.ConditionTrue, "stored artifact for revision 'main@sha1:1111'")
	lib := newGitRepo(t, ns, "lib", func(r *sourcev1.GitRepository) { r.Spec.Suspend = true })
	setStatus(t, lib, "", "", metav1.ConditionFalse, "authentication required")
}

func TestGetSourcesGit(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	twoRepos(t, ns)

	t.Run("table", func(t *testing.T) {
		g := NewWithT(t)
		r := run(t, get.New, ns, "", "sources", "git")
		g.Expect(r.err).NotTo(HaveOccurred())
		assertPlain(t, r.stdout)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		g.Expect(lines).To(HaveLen(3))
		g.Expect(strings.Fields(lines[0])).To(Equal([]string{"NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"}))
		g.Expect(strings.Fields(lines[1])[:4]).To(Equal([]string{"app", "main@sha1:1111", "false", "True"}))
		g.Expect(lines[2]).To(MatchRegexp(`^lib\s+true\s+False\s+authentication required$`))
	})
	t.Run("json", func(t *testing.T) {
		g := NewWithT(t)
		r := run(t, get.New, ns, "", "sources", "git", "-o", "json")
		g.Expect(r.err).NotTo(HaveOccurred())
		var rows []objects.Row
		g.Expect(json.Unmarshal([]byte(r.stdout), &rows)).To(Succeed())
		g.Expect(rows).To(Equal([]objects.Row{
			{Kind: "GitRepository", Namespace: ns, Name: "app", Revision: "main@sha1:1111", Ready: "True", Message: "stored artifact for revision 'main@sha1:1111'"},
			{Kind: "GitRepository", Namespace: ns, Name: "lib", Suspended: true, Ready: "False", Message: "authentication required"},
		}))
	})
	t.Run("yaml", func(t *testing.T) {
		g := NewWithT(t)
		r := run(t, get.New, ns, "", "source", "git", "-o", "yaml")
		g.Expect(r.err).NotTo(HaveOccurred())
		var rows []objects.Row
		g.Expect(yaml.Unmarshal([]byte(r.stdout), &rows)).To(Succeed())
		g.Expect(rows).To(HaveLen(2))
		g.Expect(rows[1].Name).To(Equal("lib"))
		g.Expect(rows[1].Suspended).To(BeTrue())
	})
	t.Run("unknown format", func(t *testing.T) {
		r := run(t, get.New, ns, "", "sources", "git", "-o", "xml")
		NewWithT(t).Expect(r.err).To(MatchError(ContainSubstring("use -o table, -o json or -o yaml")))
	})
	_ = g
}

func TestGetAllNamespacesAndAll(t *testing.T) {
	g := NewWithT(t)
	ns1 := testkit.NewNamespace(t, cp.Client)
	ns2 := testkit.NewNamespace(t, cp.Client)
	newKustomization(t, ns1, "infra", "repo")
	ks := newKustomization(t, ns2, "apps", "repo")
	setStatus(t, ks, "", "main@sha1:2222", metav1.ConditionTrue, "Applied revision: main@sha1:2222")
	newGitRepo(t, ns2, "repo")

	r := run(t, get.New, ns1, "", "kustomizations", "-A")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(strings.Fields(strings.Split(r.stdout, "\n")[0])).To(Equal([]string{"NAMESPACE", "NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"}))
	g.Expect(r.stdout).To(MatchRegexp(ns1 + `\s+infra\s+false\s+Unknown\s+waiting to be reconciled`))
	g.Expect(r.stdout).To(MatchRegexp(ns2 + `\s+apps\s+main@sha1:2222\s+false\s+True\s+Applied revision`))

	r = run(t, get.New, ns2, "", "all")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(MatchRegexp(`(?s)gitrepository/repo.*\n\nNAME.*kustomization/apps\s+main@sha1:2222`))

	r = run(t, get.New, ns2, "", "ks", "-o", "json")
	g.Expect(r.err).NotTo(HaveOccurred())
	var rows []objects.Row
	g.Expect(json.Unmarshal([]byte(r.stdout), &rows)).To(Succeed())
	g.Expect(rows).To(HaveLen(1))
}

func TestGetEmptyNamespace(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	r := run(t, get.New, ns, "", "kustomizations")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(BeEmpty())
	g.Expect(r.stderr).To(Equal("no kustomizations found in namespace '" + ns + "'\n"))
}

func TestGetWatch(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	ks := newKustomization(t, ns, "apps", "repo")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan result, 1)
	go func() {
		done <- runCtx(ctx, get.New(kube.WithConfig(cp.Config, ns)), "", out, "ks", "--watch")
	}()
	g.Eventually(out.String, testkit.Timeout).Should(ContainSubstring("waiting to be reconciled"))
	setStatus(t, ks, "", "main@sha1:3333", metav1.ConditionTrue, "Applied revision: main@sha1:3333")
	g.Eventually(out.String, testkit.Timeout).Should(MatchRegexp(`apps\s+main@sha1:3333\s+false\s+True\s+Applied revision: main@sha1:3333`))
	cancel()
	select {
	case r := <-done:
		g.Expect(r.err).NotTo(HaveOccurred())
		assertPlain(t, r.stdout)
	case <-time.After(testkit.Timeout):
		t.Fatal("get --watch did not stop when its context was cancelled")
	}
}

func TestUnreachableAPIServer(t *testing.T) {
	g := NewWithT(t)
	opts := kube.WithConfig(&rest.Config{Host: "https://127.0.0.1:1"}, "flux-system")
	r := runCtx(context.Background(), get.New(opts), "", nil, "kustomizations")
	g.Expect(r.err).To(HaveOccurred())
	msg := r.err.Error()
	g.Expect(msg).To(HavePrefix("cannot reach the Kubernetes API at https://127.0.0.1:1: "))
	g.Expect(msg).To(ContainSubstring("--kubeconfig"))
	g.Expect(msg).To(ContainSubstring("tide dev up"))
	g.Expect(msg).NotTo(ContainSubstring("\n"))
}
