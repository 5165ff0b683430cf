package gitrepository

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/githubapp"
	"github.com/tidegitops/tide/testkit"
)

// provider: github reads the repository with an installation token of the
// App the Secret describes, reaching GitHub's API through the proxy Git
// uses; it asks for a token only when the cached one nears expiry, and
// fails with a pointer to the key at fault when GitHub refuses the App,
// keeping the last artifact.
func TestReconcileGitHubApp(t *testing.T) {
	api := testkit.StartGitHubAPI(t)
	srv := testkit.StartGitServer(t, testkit.WithBasicAuth(githubapp.Username, api.Token()))
	head := srv.NewRepo(t, "app").Write("a.yaml", "a: 1\n").Commit("first")
	proxy, proxied := testkit.StartProxy(t, "proxyuser", "proxy-pass")
	ns := testkit.NewNamespace(t, env.CP.Client)
	createSecret(t, ns, "gh", api.SecretData())
	createSecret(t, ns, "proxy", map[string][]byte{"address": []byte(proxy), "username": []byte("proxyuser"), "password": []byte("wrong")})
	obj := newGitRepository(ns, srv.HTTPURL("app"), func(o *sourcev1.GitRepository) {
		o.Spec.Provider = sourcev1.GitProviderGitHub
		o.Spec.SecretRef = &meta.LocalObjectReference{Name: "gh"}
		o.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: "proxy"}
	})
	create(t, obj)

	// The token request goes through the proxy, which refuses it.
	ready := waitNotReady(t, obj, sourcev1.GitOperationFailedReason)
	if !strings.Contains(ready.Message, "HTTP 407") || api.TokenRequests() != 0 {
		t.Fatalf("with a wrong proxy password: %q after %d token requests; want the proxy's 407 and none",
			ready.Message, api.TokenRequests())
	}
	updateSecret(t, ns, "proxy", map[string][]byte{"address": []byte(proxy), "username": []byte("proxyuser"), "password": []byte("proxy-pass")})
	requestReconcileNoWait(t, obj)
	waitReady(t, obj)
	if !strings.HasSuffix(obj.Status.Artifact.Revision, head) {
		t.Fatalf("revision %q; want master@sha1:%s", obj.Status.Artifact.Revision, head)
	}
	if proxied() == 0 {
		t.Error("nothing went through the proxy")
	}
	good := *obj.Status.Artifact

	requestReconcile(t, obj)
	requestReconcile(t, obj)
	if n := api.TokenRequests(); n != 1 {
		t.Errorf("%d token requests over three reconciles; want 1, the token being cached", n)
	}

	other := testkit.StartGitHubAPI(t) // another App: its key is not this App's
	data := api.SecretData()
	data[githubapp.KeyPrivateKey] = other.PrivateKeyPEM()
	updateSecret(t, ns, "gh", data)
	requestReconcileNoWait(t, obj)
	ready = waitNotReady(t, obj, sourcev1.AuthenticationFailedReason)
	if !strings.Contains(ready.Message, "'githubAppPrivateKey'") {
		t.Errorf("message %q does not point at the key", ready.Message)
	}
	for _, secret := range []string{"PRIVATE KEY", api.Token(), "proxy-pass"} {
		if strings.Contains(ready.Message, secret) {
			t.Errorf("message leaks a secret: %q", ready.Message)
		}
	}
	if !sameArtifact(obj.Status.Artifact, &good) {
		t.Errorf("status.artifact changed after a failure: %+v", obj.Status.Artifact)
	}
	download(t, &good)
}

// The Secret may name the installation by its owner, as Flux allows
// (githubAppInstallationOwner): the installation is looked up through the
// API, an organization's first, then a user's. An owner the App is not
// installed on fails with the key to check; naming the installation twice
// stalls. The private key and the token never reach status, events or logs.
func TestReconcileGitHubAppInstallationOwner(t *testing.T) {
	org := testkit.StartGitHubAPI(t)
	user := testkit.StartGitHubAPI(t)
	user.Owner, user.OwnerIsUser = "tide-user", true
	ns := testkit.NewNamespace(t, env.CP.Client)
	unknown := org.SecretDataByOwner()
	unknown[githubapp.KeyInstallationOwner] = []byte("not-installed-here")
	both := org.SecretDataByOwner()
	both[githubapp.KeyInstallationID] = []byte(org.InstallationID)

	stopCapture := captureStderr(t)
	tests := []struct {
		name       string
		api        *testkit.GitHubAPI
		secret     map[string][]byte
		wantReason string // "" for Ready
		wantHint   string
		wantStall  bool
	}{
		{"organization", org, org.SecretDataByOwner(), "", "", false},
		{"user", user, user.SecretDataByOwner(), "", "", false},
		{"owner without the App", org, unknown, sourcev1.AuthenticationFailedReason,
			"named 'not-installed-here': check 'githubAppInstallationOwner'", false},
		{"owner and ID", org, both, sourcev1.AuthenticationFailedReason,
			"both 'githubAppInstallationID' and 'githubAppInstallationOwner'", true},
	}
	objs := make([]*sourcev1.GitRepository, len(tests))
	heads := make([]string, len(tests))
	for i, tt := range tests {
		srv := testkit.StartGitServer(t, testkit.WithBasicAuth(githubapp.Username, tt.api.Token()))
		heads[i] = srv.NewRepo(t, "app").Write("a.yaml", "a: 1\n").Commit("first")
		name := fmt.Sprintf("gh-%d", i)
		createSecret(t, ns, name, tt.secret)
		objs[i] = newGitRepository(ns, srv.HTTPURL("app"), func(o *sourcev1.GitRepository) {
			o.Spec.Provider = sourcev1.GitProviderGitHub
			o.Spec.SecretRef = &meta.LocalObjectReference{Name: name}
		})
		create(t, objs[i])
	}
	var shown []string
	for i, tt := range tests {
		obj := objs[i]
		if tt.wantReason == "" {
			waitReady(t, obj)
			if !strings.HasSuffix(obj.Status.Artifact.Revision, heads[i]) {
				t.Errorf("%s: revision %q; want the repository's head %s", tt.name, obj.Status.Artifact.Revision, heads[i])
			}
			continue
		}
		ready := waitNotReady(t, obj, tt.wantReason)
		if !strings.Contains(ready.Message, tt.wantHint) {
			t.Errorf("%s: message %q; want %q in it", tt.name, ready.Message, tt.wantHint)
		}
		if conditions.IsStalled(obj) != tt.wantStall {
			t.Errorf("%s: Stalled = %v, want %v", tt.name, conditions.IsStalled(obj), tt.wantStall)
		}
		NewWithT(t).Eventually(func() []string { return eventReasons(t, obj) }, testkit.Timeout).
			Should(ContainElement(tt.wantReason), "no %s event for %s", tt.wantReason, tt.name)
		status, err := json.Marshal(obj.Status)
		if err != nil {
			t.Fatal(err)
		}
		shown = append(shown, string(status))
	}
	if n := org.InstallationLookups(); n == 0 {
		t.Error("no installation was looked up by its owner")
	}
	if n := org.TokenRequests() + user.TokenRequests(); n != 2 {
		t.Errorf("%d token requests; want one per installation found", n)
	}
	var events corev1.EventList
	if err := env.CP.Client.List(context.Background(), &events, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	shown = append(shown, string(raw))
	if stopCapture != nil {
		logs := stopCapture()
		if !strings.Contains(logs, ns) {
			t.Errorf("captured controller logs hold nothing about namespace %s (%d bytes captured)", ns, len(logs))
		}
		shown = append(shown, logs)
	}
	// A line of each key's base64 body, besides its PEM header.
	secrets := []string{"PRIVATE KEY", org.Token(), user.Token()}
	for _, api := range []*testkit.GitHubAPI{org, user} {
		secrets = append(secrets, strings.Split(string(api.PrivateKeyPEM()), "\n")[1])
	}
	for _, s := range shown {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("a secret (%.20s...) is shown in status, events or logs: %.300s", secret, s)
			}
		}
	}
}

// A provider that cannot work as configured stalls with what to change.
func TestReconcileProviderMisconfigured(t *testing.T) {
	api := testkit.StartGitHubAPI(t)
	srv := testkit.StartGitServer(t, testkit.WithSSH())
	srv.NewRepo(t, "app").Write("a.yaml", "a: 1\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)
	incomplete := api.SecretData()
	delete(incomplete, githubapp.KeyInstallationID)
	createSecret(t, ns, "incomplete", incomplete)
	createSecret(t, ns, "complete", api.SecretData())

	tests := []struct {
		name, provider, secret, url string
		wantReason, wantHint        string
	}{
		{"azure", sourcev1.GitProviderAzure, "", srv.HTTPURL("app"),
			sourcev1.InvalidProviderConfigurationReason, "provider 'azure' is not supported"},
		{"github without a secret", sourcev1.GitProviderGitHub, "", srv.HTTPURL("app"),
			sourcev1.InvalidProviderConfigurationReason, "needs spec.secretRef"},
		{"github secret without the installation", sourcev1.GitProviderGitHub, "incomplete", srv.HTTPURL("app"),
			sourcev1.AuthenticationFailedReason, "no 'githubAppInstallationID'"},
		{"github over ssh", sourcev1.GitProviderGitHub, "complete", srv.SSHURL("app"),
			sourcev1.InvalidProviderConfigurationReason, "https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := newGitRepository(ns, tt.url, func(o *sourcev1.GitRepository) {
				o.Spec.Provider = tt.provider
				if tt.secret != "" {
					o.Spec.SecretRef = &meta.LocalObjectReference{Name: tt.secret}
				}
			})
			create(t, obj)
			ready := waitNotReady(t, obj, tt.wantReason)
			if !strings.Contains(ready.Message, tt.wantHint) {
				t.Errorf("message %q; want %q in it", ready.Message, tt.wantHint)
			}
			if !conditions.IsStalled(obj) {
				t.Error("not Stalled: retrying cannot help until the spec or Secret changes")
			}
		})
	}
	if n := api.TokenRequests(); n != 0 {
		t.Errorf("%d token requests for configurations that cannot work; want 0", n)
	}
}
