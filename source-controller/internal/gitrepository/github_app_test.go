package gitrepository

import (
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

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
	ns := testkit.NewNamespace(t, env.cp.Client)
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

// A provider that cannot work as configured stalls with what to change.
func TestReconcileProviderMisconfigured(t *testing.T) {
	api := testkit.StartGitHubAPI(t)
	srv := testkit.StartGitServer(t, testkit.WithSSH())
	srv.NewRepo(t, "app").Write("a.yaml", "a: 1\n").Commit("first")
	ns := testkit.NewNamespace(t, env.cp.Client)
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
