package imageupdate

import (
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/testkit"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the web app
  namespace: apps
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/org/web:1.0.0 # {"$imagepolicy": "%s:web"}
`

func marked(ns string) string { return strings.ReplaceAll(deployment, "%s", ns) }

func TestUpdatePushesTheLatestImage(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t, testkit.WithBasicAuth("git", "s3cret-pass"))
	base := srv.NewRepo(t, "fleet").
		Write("apps/web.yaml", marked(ns)).
		Write("apps/kustomization.yaml", "images:\n- name: web\n  newTag: 1.0.0 # {\"$imagepolicy\": \""+ns+":web:tag\"}\n").
		Write("README.md", "not touched").
		Commit("init")
	create(t, secret(ns, "git-creds", map[string]string{"username": "git", "password": "s3cret-pass"}))
	newGitRepository(t, ns, srv.HTTPURL("fleet"), withSecret("git-creds"))
	policy := newPolicy(t, ns, "web", "ghcr.io/org/web", "1.1.0", nil)
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) { a.Spec.Update.Path = "./apps" })
	create(t, auto)

	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	head := remoteHead(t, srv, "fleet", "master")
	g := NewWithT(t)
	g.Expect(head.ParentHashes[0].String()).To(Equal(base))
	g.Expect(head.Message).To(Equal("Update from image update automation"))
	g.Expect(head.Author.Name).To(Equal("Tide Bot"))
	g.Expect(head.Author.Email).To(Equal("bot@tide.invalid"))
	g.Expect(fileAt(t, head, "apps/web.yaml")).To(Equal(strings.Replace(marked(ns), "web:1.0.0", "web:1.1.0", 1)))
	g.Expect(fileAt(t, head, "apps/kustomization.yaml")).To(ContainSubstring("newTag: 1.1.0 # {"))
	g.Expect(readyMessage(got)).To(Equal("repository up-to-date"))
	g.Expect(got.Status.LastPushCommit).To(Equal(head.Hash.String()))
	g.Expect(got.Status.LastPushTime).NotTo(BeNil())
	g.Expect(got.Status.LastAutomationRunTime).NotTo(BeNil())
	g.Expect(got.Status.ObservedSourceRevision).To(Equal("master@sha1:" + head.Hash.String()))
	g.Expect(got.Status.ObservedPolicies).To(Equal(imagev1.ObservedPolicies{"web": {Name: "ghcr.io/org/web", Tag: "1.1.0"}}))
	waitForEvent(t, auto, "Normal", "Succeeded", "pushed commit '"+head.Hash.String()[:7]+"' to branch 'master'\nUpdate from image update automation")

	// Nothing changed: a requested run is up to date, and commits nothing.
	token := requestReconcile(t, auto)
	g.Eventually(func() string {
		got = waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
		return got.Status.LastHandledReconcileAt
	}, timeout).Should(Equal(token))
	g.Expect(remoteHead(t, srv, "fleet", "master").Hash).To(Equal(head.Hash))

	// A new latest image: a new commit on top.
	setLatest(t, policy, "ghcr.io/org/web", "1.2.0", "sha256:abcd")
	g.Eventually(func() string {
		return remoteHead(t, srv, "fleet", "master").Hash.String()
	}, timeout).ShouldNot(Equal(head.Hash.String()))
	next := remoteHead(t, srv, "fleet", "master")
	g.Expect(next.ParentHashes[0]).To(Equal(head.Hash))
	g.Expect(fileAt(t, next, "apps/web.yaml")).To(ContainSubstring("image: ghcr.io/org/web:1.2.0@sha256:abcd # {"))
	g.Expect(fileAt(t, next, "apps/kustomization.yaml")).To(ContainSubstring("newTag: 1.2.0 # {"))
	g.Eventually(func() string {
		return waitReady(t, auto, metav1.ConditionTrue, "Succeeded").Status.LastPushCommit
	}, timeout).Should(Equal(next.Hash.String()))
}

func TestUpdateSkipsWhenNothingChanged(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "1.0.0", nil) // what the file already has
	auto := newAutomation(ns)
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	g := NewWithT(t)
	g.Expect(got.Status.LastPushCommit).To(BeEmpty())
	g.Expect(commitCount(t, srv, "fleet", "master")).To(Equal(1))
	firstRun := got.Status.LastAutomationRunTime

	// The interval passes with no change: the run is skipped, no clone; it
	// is still a run, as Flux counts it (status.lastAutomationRunTime).
	update(t, auto, func() { auto.Spec.Interval = metav1.Duration{Duration: 2 * time.Second} })
	waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	packs := srv.UploadPacks()
	runAfterGen := waitReady(t, auto, metav1.ConditionTrue, "Succeeded").Status.LastAutomationRunTime
	g.Consistently(func() int64 { return srv.UploadPacks() }, 5*time.Second, time.Second).Should(Equal(packs))
	g.Expect(waitReady(t, auto, metav1.ConditionTrue, "Succeeded").Status.LastAutomationRunTime.After(runAfterGen.Time)).To(BeTrue(),
		"a skipped run is recorded as a run")
	g.Expect(firstRun).NotTo(BeNil())
}
