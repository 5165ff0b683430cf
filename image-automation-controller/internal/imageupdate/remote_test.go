package imageupdate

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// TestPushOptionsReachTheServer: spec.git.push.options are sent with the
// push (git push -o), as a server's hooks see them.
func TestPushOptionsReachTheServer(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	seen := recordPushOptions(t, srv.RepoDir("fleet"))
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.GitSpec.Push = &imagev1.PushSpec{Options: map[string]string{
			"merge_request.create": "", "merge_request.target": "main"}}
	})
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	g := NewWithT(t)
	g.Expect(got.Status.LastPushCommit).To(Equal(remoteHead(t, srv, "fleet", "master").Hash.String()))
	options, err := os.ReadFile(seen)
	g.Expect(err).NotTo(HaveOccurred(), "the server's post-receive hook saw no push")
	// go-git writes every option as key=value, an empty value too, as
	// Flux's push does.
	g.Expect(strings.Fields(string(options))).To(ConsistOf("merge_request.create=", "merge_request.target=main"))
}

// recordPushOptions makes the bare repository advertise push options (as
// GitLab and GitHub do; git's receive-pack does not unless told) and
// installs a post-receive hook that writes the options it received, one a
// line, to the file it returns.
func recordPushOptions(t *testing.T, bare string) string {
	t.Helper()
	if out, err := exec.Command("git", "--git-dir", bare, "config", "receive.advertisePushOptions", "true").CombinedOutput(); err != nil {
		t.Fatalf("git config: %v: %s", err, out)
	}
	seen := filepath.Join(t.TempDir(), "push-options")
	hook := filepath.Join(bare, "hooks", "post-receive")
	if err := os.MkdirAll(filepath.Dir(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	script := `#!/bin/sh
i=0
while [ "$i" -lt "${GIT_PUSH_OPTION_COUNT:-0}" ]; do
	eval "echo \"\$GIT_PUSH_OPTION_$i\"" >> '` + seen + `'
	i=$((i+1))
done
`
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return seen
}

// TestProxySecretRef: the GitRepository's spec.proxySecretRef carries the
// clone and the push through the proxy, with its credentials.
func TestProxySecretRef(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	proxy := startProxy(t, "proxy-user", "proxy-pass")
	create(t, secret(ns, "proxy", map[string]string{"address": proxy.url, "username": "proxy-user", "password": "proxy-pass"}))
	newGitRepository(t, ns, srv.HTTPURL("fleet"), func(r *sourcev1.GitRepository) {
		r.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: "proxy"}
	})
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	auto := newAutomation(ns)
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	g := NewWithT(t)
	g.Expect(got.Status.LastPushCommit).To(Equal(remoteHead(t, srv, "fleet", "master").Hash.String()))
	g.Expect(proxy.receivePacks.Load()).To(BeNumerically(">=", 1), "the push did not go through the proxy")
	g.Expect(proxy.uploadPacks.Load()).To(BeNumerically(">=", 1), "the clone did not go through the proxy")
	g.Expect(proxy.refused.Load()).To(BeZero(), "a request reached the proxy without its credentials")
}

// TestProxySecretRefUnreachable: a proxy that does not answer fails the run
// with the Git operation named, nothing pushed.
func TestProxySecretRefUnreachable(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	base := srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	create(t, secret(ns, "proxy", map[string]string{"address": testkit.UnreachableURL(t)}))
	newGitRepository(t, ns, srv.HTTPURL("fleet"), func(r *sourcev1.GitRepository) {
		r.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: "proxy"}
	})
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	auto := newAutomation(ns)
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionFalse, imagev1.GitOperationFailedReason)
	NewWithT(t).Expect(readyMessage(got)).To(ContainSubstring("proxy"))
	NewWithT(t).Expect(remoteHead(t, srv, "fleet", "master").Hash.String()).To(Equal(base))
}

// countingProxy is a forward HTTP proxy that counts the Git requests it
// carries and refuses those without its credentials.
type countingProxy struct {
	url                                string
	uploadPacks, receivePacks, refused atomic.Int64
}

func startProxy(t *testing.T, username, password string) *countingProxy {
	t.Helper()
	p := &countingProxy{}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
	forward := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.Out.URL = r.In.URL // a proxy request names the whole URL
		r.Out.Header.Del("Proxy-Authorization")
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Proxy-Authorization") != want || !r.URL.IsAbs() {
			p.refused.Add(1)
			w.Header().Set("Proxy-Authenticate", `Basic realm="test"`)
			http.Error(w, "proxy authentication required", http.StatusProxyAuthRequired)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
			p.uploadPacks.Add(1)
		case strings.HasSuffix(r.URL.Path, "/git-receive-pack"):
			p.receivePacks.Add(1)
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// TestPushRefspec: spec.git.push.refspec pushes the commit of the push
// branch to a second ref too, and the event names both, in Flux's words.
func TestPushRefspec(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	base := srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.GitSpec.Push = &imagev1.PushSpec{Branch: "auto", Refspec: "refs/heads/auto:refs/heads/review"}
	})
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	g := NewWithT(t)
	g.Expect(remoteHead(t, srv, "fleet", "master").Hash.String()).To(Equal(base))
	pushed := remoteHead(t, srv, "fleet", "auto")
	g.Expect(pushed).NotTo(BeNil())
	g.Expect(got.Status.LastPushCommit).To(Equal(pushed.Hash.String()))
	g.Expect(fileAt(t, pushed, "web.yaml")).To(ContainSubstring("ghcr.io/org/web:2.0.0 #"))
	review := remoteHead(t, srv, "fleet", "review")
	g.Expect(review).NotTo(BeNil(), "the refspec was not pushed")
	g.Expect(review.Hash).To(Equal(pushed.Hash))
	waitForEvent(t, auto, "Normal", "Succeeded", "pushed commit '"+pushed.Hash.String()[:7]+
		"' to branch 'auto' and refspecs 'refs/heads/auto:refs/heads/review'\nUpdate from image update automation")
}
