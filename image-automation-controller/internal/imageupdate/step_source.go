package imageupdate

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/skeleton"
)

// defaultTimeout is a GitRepository's spec.timeout default.
const defaultTimeout = 60 * time.Second

// readSource reads the GitRepository of spec.sourceRef and what the
// automation takes from it, as Flux does: its URL, its credentials
// (spec.secretRef, the same kinds as the source-controller), its proxy
// (spec.proxySecretRef), its timeout, and its ref unless
// spec.git.checkout.ref overrides it.
func (r *Reconciler) readSource(ctx context.Context, s *scope) error {
	ref := s.obj.Spec.SourceRef
	ns := ref.Namespace
	if ns == "" {
		ns = s.obj.Namespace
	}
	if r.NoCrossNamespaceRefs && ns != s.obj.Namespace {
		return skeleton.Stall(imagev1.InvalidSourceConfigReason,
			"cannot use GitRepository '%s/%s': cross-namespace references are disabled (--no-cross-namespace-refs); put the GitRepository in namespace '%s'",
			ns, ref.Name, s.obj.Namespace)
	}
	repo := &sourcev1.GitRepository{}
	err := r.Get(ctx, types.NamespacedName{Namespace: ns, Name: ref.Name}, repo)
	if apierrors.IsNotFound(err) {
		return skeleton.Retryf(imagev1.InvalidSourceConfigReason,
			"GitRepository '%s/%s' of spec.sourceRef does not exist: create it, or fix spec.sourceRef", ns, ref.Name)
	}
	if err != nil {
		return skeleton.Retry(imagev1.InvalidSourceConfigReason, err)
	}
	s.repo = repo
	switch repo.Spec.Provider {
	case "", sourcev1.GitProviderGeneric:
	default:
		return skeleton.Stall(imagev1.InvalidSourceConfigReason,
			"GitRepository '%s/%s' uses provider '%s', which Tide's image automation does not support yet: use 'generic' with credentials in spec.secretRef",
			ns, repo.Name, repo.Spec.Provider)
	}
	s.timeout = defaultTimeout
	if repo.Spec.Timeout != nil && repo.Spec.Timeout.Duration > 0 {
		s.timeout = repo.Spec.Timeout.Duration
	}
	s.checkout = gitclient.Ref{Branch: gitclient.DefaultBranch}
	if c := s.obj.Spec.GitSpec.Checkout; c != nil {
		s.checkout = gitclient.Ref(c.Reference)
	} else if repo.Spec.Reference != nil {
		s.checkout = gitclient.Ref(*repo.Spec.Reference)
	}
	if pushBranch(s) == "" && s.branches == nil {
		return skeleton.Stall(imagev1.InvalidSourceConfigReason,
			"no branch to push to: set spec.git.push.branch, or check out a branch (spec.git.checkout.ref.branch or the GitRepository's spec.ref.branch)")
	}
	return r.readAuth(ctx, s)
}

// pushBranch is the plain push branch: spec.git.push.branch, else the
// checkout branch.
func pushBranch(s *scope) string {
	if p := s.obj.Spec.GitSpec.Push; p != nil && p.Branch != "" && s.branches == nil {
		return p.Branch
	}
	return s.checkout.Branch
}

func (r *Reconciler) readAuth(ctx context.Context, s *scope) error {
	var data map[string][]byte
	if ref := s.repo.Spec.SecretRef; ref != nil {
		secret, err := r.secret(ctx, s.repo.Namespace, ref.Name, "the GitRepository's spec.secretRef")
		if err != nil {
			return err
		}
		data = secret.Data
	}
	auth, err := gitclient.AuthFromSecret(s.repo.Spec.URL, data)
	if errors.Is(err, gitclient.ErrInvalidAuth) {
		return skeleton.Retryf(imagev1.InvalidSourceConfigReason, "credentials of GitRepository '%s/%s': %s",
			s.repo.Namespace, s.repo.Name, err.Error())
	}
	if err != nil {
		return skeleton.Retry(imagev1.InvalidSourceConfigReason, err)
	}
	if ref := s.repo.Spec.ProxySecretRef; ref != nil {
		secret, err := r.secret(ctx, s.repo.Namespace, ref.Name, "the GitRepository's spec.proxySecretRef")
		if err != nil {
			return err
		}
		if auth, err = auth.WithProxy(string(secret.Data["address"]), string(secret.Data["username"]), string(secret.Data["password"])); err != nil {
			return skeleton.Retryf(imagev1.InvalidSourceConfigReason, "proxy secret '%s/%s': %s", s.repo.Namespace, ref.Name, err.Error())
		}
	}
	auth.SSH = r.SSHAlgorithms
	s.auth = auth
	return nil
}

// secret reads a Secret, saying what to do when it is missing. A missing
// Secret is retried: creating it is the fix, and it changes no object of
// ours.
func (r *Reconciler) secret(ctx context.Context, namespace, name, field string) (*corev1.Secret, error) {
	secret := &corev1.Secret{}
	err := r.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, secret)
	if apierrors.IsNotFound(err) {
		return nil, skeleton.Retryf(imagev1.InvalidSourceConfigReason,
			"secret '%s/%s' named in %s does not exist: create it, or fix the name", namespace, name, field)
	}
	if err != nil {
		return nil, skeleton.Retry(imagev1.InvalidSourceConfigReason, err)
	}
	return secret, nil
}

// readSigningKey loads spec.git.commit.signingKey (gpg or ssh). Secrets are
// not watched, so a bad one is retried (with backoff) rather than stalled.
func (r *Reconciler) readSigningKey(ctx context.Context, s *scope) error {
	key := s.obj.Spec.GitSpec.Commit.SigningKey
	if key == nil || s.skipped {
		return nil
	}
	secret, err := r.secret(ctx, s.obj.Namespace, key.SecretRef.Name, "spec.git.commit.signingKey")
	if err != nil {
		return err
	}
	signer, err := gitclient.SignerFromSecret(string(key.GetType()), secret.Data)
	if err != nil {
		return skeleton.Retryf(imagev1.InvalidSourceConfigReason, "signing key secret '%s': %s", key.SecretRef.Name, err.Error())
	}
	s.signer = signer
	return nil
}
