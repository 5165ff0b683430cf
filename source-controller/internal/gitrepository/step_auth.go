package gitrepository

import (
	"context"
	"errors"

	"github.com/go-git/go-git/v5/plumbing/transport"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
)

// readAuth builds the Git credentials from spec.secretRef, as spec.provider
// says, and the proxy from spec.proxySecretRef. A missing or malformed
// Secret stalls the object: the user must fix the Secret, and the Secret
// watch brings the object back. A refusal by the Git host is retried.
func (r *Reconciler) readAuth(ctx context.Context, s *scope) error {
	var data map[string][]byte
	if ref := s.obj.Spec.SecretRef; ref != nil {
		secret, err := r.secret(ctx, s.obj, ref.Name, "spec.secretRef")
		if err != nil {
			return failed(s.obj, sourcev1.FetchFailedCondition, err)
		}
		data = secret.Data
	}
	proxy, err := r.readProxy(ctx, s.obj)
	if err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, err)
	}
	auth, err := r.providerAuth(ctx, s.obj, data, proxy)
	if err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, err)
	}
	auth.Proxy = proxy
	auth.SSH = r.SSHAlgorithms
	s.auth = auth
	return nil
}

// readProxy reads spec.proxySecretRef; no reference is no proxy (the
// environment's, if any).
func (r *Reconciler) readProxy(ctx context.Context, obj *sourcev1.GitRepository) (transport.ProxyOptions, error) {
	ref := obj.Spec.ProxySecretRef
	if ref == nil {
		return transport.ProxyOptions{}, nil
	}
	secret, err := r.secret(ctx, obj, ref.Name, "spec.proxySecretRef")
	if err != nil {
		return transport.ProxyOptions{}, err
	}
	// WithProxy checks the address (present, a URL, no credentials in it).
	withProxy, err := (*gitclient.Auth)(nil).WithProxy(string(secret.Data["address"]),
		string(secret.Data["username"]), string(secret.Data["password"]))
	if err != nil {
		return transport.ProxyOptions{}, skeleton.Stall(sourcev1.AuthenticationFailedReason,
			"proxy secret '%s': %s", ref.Name, err.Error())
	}
	return withProxy.Proxy, nil
}

// providerAuth turns the Secret's data into credentials the way
// spec.provider names: the Secret's own credentials ('generic'), or a token
// of the GitHub App it describes ('github').
func (r *Reconciler) providerAuth(ctx context.Context, obj *sourcev1.GitRepository, data map[string][]byte, proxy transport.ProxyOptions) (*gitclient.Auth, error) {
	switch obj.Spec.Provider {
	case "", sourcev1.GitProviderGeneric:
		auth, err := gitclient.AuthFromSecret(obj.Spec.URL, data)
		if err != nil {
			return nil, classifyAuthError(obj, err)
		}
		return auth, nil
	case sourcev1.GitProviderGitHub:
		return r.githubAppAuth(ctx, obj, data, proxy)
	default:
		return nil, skeleton.Stall(sourcev1.InvalidProviderConfigurationReason,
			"provider '%s' is not supported by Tide yet: use 'generic' (the default) with credentials in spec.secretRef, or 'github' for a GitHub App",
			obj.Spec.Provider)
	}
}

// secret reads a Secret of the object's namespace, explaining a missing one.
func (r *Reconciler) secret(ctx context.Context, obj *sourcev1.GitRepository, name, field string) (*corev1.Secret, error) {
	secret := &corev1.Secret{}
	err := r.Get(ctx, types.NamespacedName{Namespace: obj.Namespace, Name: name}, secret)
	if apierrors.IsNotFound(err) {
		return nil, skeleton.Stall(sourcev1.AuthenticationFailedReason,
			"secret '%s/%s' named in %s does not exist: create it, or fix the name", obj.Namespace, name, field)
	}
	if err != nil {
		return nil, skeleton.Retry(sourcev1.AuthenticationFailedReason, err)
	}
	return secret, nil
}

func classifyAuthError(obj *sourcev1.GitRepository, err error) error {
	if errors.Is(err, gitclient.ErrInvalidAuth) {
		name := "(none)"
		if obj.Spec.SecretRef != nil {
			name = obj.Spec.SecretRef.Name
		}
		return skeleton.Stall(sourcev1.AuthenticationFailedReason, "secret '%s': %s", name, err.Error())
	}
	return skeleton.Retry(sourcev1.AuthenticationFailedReason, err)
}
