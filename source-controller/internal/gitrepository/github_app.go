package gitrepository

import (
	"context"
	"errors"
	"net/url"

	"github.com/go-git/go-git/v5/plumbing/transport"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/githubapp"
)

// githubAppAuth authenticates as the installation of the GitHub App that
// spec.secretRef describes (provider: github): its token, cached across
// reconciles, is the password of basic auth. The Secret's CA and client
// certificate, and the proxy, serve the API as they serve Git.
func (r *Reconciler) githubAppAuth(ctx context.Context, obj *sourcev1.GitRepository, data map[string][]byte, proxy transport.ProxyOptions) (*gitclient.Auth, error) {
	if obj.Spec.SecretRef == nil {
		return nil, skeleton.Stall(sourcev1.InvalidProviderConfigurationReason,
			"provider 'github' needs spec.secretRef: name a Secret with '%s', '%s' (or '%s') and '%s'",
			githubapp.KeyAppID, githubapp.KeyInstallationID, githubapp.KeyInstallationOwner, githubapp.KeyPrivateKey)
	}
	if u, err := url.Parse(obj.Spec.URL); err != nil || u.Scheme != "https" && u.Scheme != "http" {
		return nil, skeleton.Stall(sourcev1.InvalidProviderConfigurationReason,
			"provider 'github' authenticates over HTTPS: use the repository's https:// URL")
	}
	app, err := githubapp.FromSecret(data)
	if err != nil {
		return nil, skeleton.Stall(sourcev1.AuthenticationFailedReason, "secret '%s': %s", obj.Spec.SecretRef.Name, err.Error())
	}
	if proxy.URL != "" {
		// Validated by readProxy. The API is reached the way Git is.
		app.Proxy, _ = url.Parse(proxy.URL)
		if proxy.Username != "" {
			app.Proxy.User = url.UserPassword(proxy.Username, proxy.Password)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, obj.GetTimeout())
	defer cancel()
	token, err := r.GitHubApps.Token(ctx, app)
	if err != nil {
		reason := sourcev1.GitOperationFailedReason
		if errors.Is(err, githubapp.ErrRefused) {
			reason = sourcev1.AuthenticationFailedReason
		}
		return nil, skeleton.Retry(reason, err)
	}
	creds := map[string][]byte{gitclient.KeyUsername: []byte(githubapp.Username), gitclient.KeyPassword: []byte(token)}
	for _, k := range []string{gitclient.KeyCA, gitclient.KeyCAFile, gitclient.KeyCert, gitclient.KeyKey} {
		creds[k] = data[k]
	}
	auth, err := gitclient.AuthFromSecret(obj.Spec.URL, creds)
	if err != nil {
		return nil, classifyAuthError(obj, err)
	}
	return auth, nil
}
