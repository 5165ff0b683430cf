package imageupdate

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/testkit"
)

func TestCommitMessageTemplate(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "3.0.0", nil)
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.GitSpec.Commit.MessageTemplate = `Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind | lower }} {{ $resource.Name }}
{{- range $_, $change := $changes }}
  - {{ $change.OldValue }} -> {{ $change.NewValue }} ({{ $change.Setter }})
{{- end }}
{{ end -}}
{{ len .Changed.Changes }} change for {{ .Values.cluster }}`
		a.Spec.GitSpec.Commit.MessageTemplateValues = map[string]string{"cluster": "prod"}
	})
	create(t, auto)
	waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	want := `Automated image update

Automation name: ` + ns + `/auto

Files:
- web.yaml
Objects:
- deployment web
  - ghcr.io/org/web:1.0.0 -> ghcr.io/org/web:3.0.0 (` + ns + `:web)
1 change for prod`
	NewWithT(t).Expect(remoteHead(t, srv, "fleet", "master").Message).To(Equal(want))
}

// TestPushBranchTemplate: Tide's push branch template gives each policy's
// update a branch of its own, for review; the checkout branch is untouched.
func TestPushBranchTemplate(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	api := strings.ReplaceAll(strings.ReplaceAll(marked(ns), "web", "api"), "name: api   # the api app", "name: api")
	base := srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Write("api.yaml", api).Commit("init")
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	web := newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	newPolicy(t, ns, "api", "ghcr.io/org/api", "5.0.0", nil)
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.GitSpec.Push = &imagev1.PushSpec{Branch: "image-updates/{{ .Policy }}"}
	})
	create(t, auto)
	waitReady(t, auto, metav1.ConditionTrue, "Succeeded")

	g := NewWithT(t)
	g.Expect(remoteHead(t, srv, "fleet", "master").Hash.String()).To(Equal(base))
	webHead := remoteHead(t, srv, "fleet", "image-updates/web")
	apiHead := remoteHead(t, srv, "fleet", "image-updates/api")
	g.Expect(webHead).NotTo(BeNil())
	g.Expect(apiHead).NotTo(BeNil())
	g.Expect(fileAt(t, webHead, "web.yaml")).To(ContainSubstring("ghcr.io/org/web:2.0.0 #"))
	g.Expect(fileAt(t, webHead, "api.yaml")).To(Equal(api))
	g.Expect(fileAt(t, apiHead, "api.yaml")).To(ContainSubstring("ghcr.io/org/api:5.0.0 #"))
	g.Expect(fileAt(t, apiHead, "web.yaml")).To(Equal(marked(ns)))
	waitForEvent(t, auto, "Normal", "Succeeded", "to branch 'image-updates/web'")
	waitForEvent(t, auto, "Normal", "Succeeded", "to branch 'image-updates/api'")

	// The next update of web goes on top of its branch, not over it.
	setLatest(t, web, "ghcr.io/org/web", "2.1.0", "")
	g.Eventually(func() string {
		return remoteHead(t, srv, "fleet", "image-updates/web").Hash.String()
	}, timeout).ShouldNot(Equal(webHead.Hash.String()))
	next := remoteHead(t, srv, "fleet", "image-updates/web")
	g.Expect(next.ParentHashes[0]).To(Equal(webHead.Hash))
	g.Expect(remoteHead(t, srv, "fleet", "image-updates/api").Hash).To(Equal(apiHead.Hash))
}

// TestPolicyChangeDelay: with spec.policyChangeDelay, the updates of two
// policies changed one after the other go into one commit.
func TestPolicyChangeDelay(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	api := strings.ReplaceAll(marked(ns), "web", "api")
	srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Write("api.yaml", api).Commit("init")
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	web := newPolicy(t, ns, "web", "ghcr.io/org/web", "1.0.0", nil)
	apiPolicy := newPolicy(t, ns, "api", "ghcr.io/org/api", "1.0.0", nil)
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.PolicyChangeDelay = &metav1.Duration{Duration: 5 * time.Second}
	})
	create(t, auto)
	waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	g := NewWithT(t)
	g.Expect(commitCount(t, srv, "fleet", "master")).To(Equal(1))

	// setLatest waits until the controller's cache has each change, so the
	// second comes after the first was seen, as a second image build would.
	setLatest(t, web, "ghcr.io/org/web", "1.1.0", "")
	setLatest(t, apiPolicy, "ghcr.io/org/api", "1.1.0", "")
	g.Eventually(func() int { return commitCount(t, srv, "fleet", "master") }, timeout).Should(Equal(2))
	head := remoteHead(t, srv, "fleet", "master")
	g.Expect(fileAt(t, head, "web.yaml")).To(ContainSubstring("ghcr.io/org/web:1.1.0 #"))
	g.Expect(fileAt(t, head, "api.yaml")).To(ContainSubstring("ghcr.io/org/api:1.1.0 #"))
	g.Consistently(func() int { return commitCount(t, srv, "fleet", "master") }, 3*time.Second, time.Second).Should(Equal(2))
}

func TestSignedCommit(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", nil)
	entity, public := testkit.NewPGPKey(t, "bot")
	var private bytes.Buffer
	w, _ := armor.Encode(&private, openpgp.PrivateKeyType, nil)
	if err := entity.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	create(t, secret(ns, "signing", map[string]string{"git.asc": private.String()}))
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.GitSpec.Commit.SigningKey = &imagev1.SigningKey{}
		a.Spec.GitSpec.Commit.SigningKey.SecretRef.Name = "signing"
	})
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	c, err := gitclient.Checkout(context.Background(), srv.HTTPURL("fleet"), nil, gitclient.Ref{Branch: "master"}, t.TempDir(), gitclient.CheckoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := NewWithT(t)
	g.Expect(c.Hash).To(Equal(got.Status.LastPushCommit))
	_, err = gitclient.VerifyCommit(c, map[string][]byte{"bot.asc": public})
	g.Expect(err).NotTo(HaveOccurred())
}

// TestUpdateOverSSH: the GitRepository's SSH credentials (identity,
// known_hosts) clone and push.
func TestUpdateOverSSH(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t, testkit.WithSSH())
	srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Commit("init")
	create(t, secret(ns, "ssh", map[string]string{"identity": string(srv.ClientKey()), "known_hosts": string(srv.KnownHosts())}))
	newGitRepository(t, ns, srv.SSHURL("fleet"), withSecret("ssh"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "4.0.0", nil)
	auto := newAutomation(ns)
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	head := remoteHead(t, srv, "fleet", "master")
	g := NewWithT(t)
	g.Expect(got.Status.LastPushCommit).To(Equal(head.Hash.String()))
	g.Expect(fileAt(t, head, "web.yaml")).To(ContainSubstring("ghcr.io/org/web:4.0.0 #"))
}

// TestPolicySelector: only the selected policies' markers are rewritten.
func TestPolicySelector(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	srv := testkit.StartGitServer(t)
	api := strings.ReplaceAll(marked(ns), "web", "api")
	srv.NewRepo(t, "fleet").Write("web.yaml", marked(ns)).Write("api.yaml", api).Commit("init")
	newGitRepository(t, ns, srv.HTTPURL("fleet"))
	newPolicy(t, ns, "web", "ghcr.io/org/web", "2.0.0", map[string]string{"team": "front"})
	newPolicy(t, ns, "api", "ghcr.io/org/api", "2.0.0", map[string]string{"team": "back"})
	auto := newAutomation(ns, func(a *imagev1.ImageUpdateAutomation) {
		a.Spec.PolicySelector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "front"}}
	})
	create(t, auto)
	got := waitReady(t, auto, metav1.ConditionTrue, "Succeeded")
	head := remoteHead(t, srv, "fleet", "master")
	g := NewWithT(t)
	g.Expect(fileAt(t, head, "web.yaml")).To(ContainSubstring("ghcr.io/org/web:2.0.0 #"))
	g.Expect(fileAt(t, head, "api.yaml")).To(Equal(api))
	g.Expect(got.Status.ObservedPolicies).To(HaveKey("web"))
	g.Expect(got.Status.ObservedPolicies).NotTo(HaveKey("api"))
}
