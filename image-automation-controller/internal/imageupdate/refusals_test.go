package imageupdate

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// TestPushWithoutWriteRights: credentials that may read but not push (the
// server answers 403 to a push, as a read-only deploy key's host does) fail
// the run with what to fix; nothing is pushed.
func TestPushWithoutWriteRights(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	base := srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	newGitRepository(t, ns, readOnly(t, srv.HTTPURL("fleet")))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	auto := newAutomation(ns)
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionFalse, imagev1.GitOperationFailedReason)
	g := NewWithT(t)
	g.Expect(readyMessage(got)).To(ContainSubstring("write access"))
	waitForEvent(t, auto, "Warning", imagev1.GitOperationFailedReason, "write access")
	g.Expect(remoteHead(t, srv, "fleet", "master").Hash.String()).To(Equal(base), "something was pushed")
	g.Expect(got.Status.LastPushCommit).To(BeEmpty())
}

// readOnly fronts a Git server's repository with one that refuses every
// push with 403 Forbidden, and returns the repository's URL through it.
func readOnly(t *testing.T, repoURL string) string {
	t.Helper()
	u, err := url.Parse(repoURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/git-receive-pack") || r.URL.Query().Get("service") == "git-receive-pack" {
			http.Error(w, "permission to push denied", http.StatusForbidden)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front.URL + u.Path
}

// TestGitProviderRefused: a GitRepository whose spec.provider needs
// workload identity (github, azure) is refused, Stalled, rather than used
// without its credentials.
func TestGitProviderRefused(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	base := srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	newGitRepository(t, ns, srv.HTTPURL("fleet"), func(r *sourcev1.GitRepository) {
		r.Spec.Provider = sourcev1.GitProviderAzure
	})
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	auto := newAutomation(ns)
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionFalse, imagev1.InvalidSourceConfigReason)
	g := NewWithT(t)
	g.Expect(readyMessage(got)).To(ContainSubstring("uses provider 'azure'"))
	g.Expect(got.Status.Conditions).To(ContainElement(And(
		HaveField("Type", "Stalled"), HaveField("Status", metav1.ConditionTrue))))
	waitForEvent(t, auto, "Warning", imagev1.InvalidSourceConfigReason, "uses provider 'azure'")
	g.Expect(remoteHead(t, srv, "fleet", "master").Hash.String()).To(Equal(base))
}
