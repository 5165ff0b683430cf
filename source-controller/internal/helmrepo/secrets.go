package helmrepo

import (
	"context"
	"errors"
	"fmt"

	"github.com/fluxcd/pkg/apis/meta"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// ErrSecretNotFound: a Secret named by the HelmRepository does not exist.
var ErrSecretNotFound = errors.New("secret not found")

// ClientOptions reads the Secrets repo names (spec.secretRef,
// spec.certSecretRef) from its namespace and returns the options of a
// client of it, with its passCredentials and timeout. A missing Secret
// wraps ErrSecretNotFound, unusable data ErrInvalidSecret; any other error
// is the apiserver's, worth a retry.
func ClientOptions(ctx context.Context, c client.Reader, repo *sourcev1.HelmRepository) (Options, error) {
	auth, err := readSecret(ctx, c, repo.Namespace, repo.Spec.SecretRef, "spec.secretRef")
	if err != nil {
		return Options{}, err
	}
	cert, err := readSecret(ctx, c, repo.Namespace, repo.Spec.CertSecretRef, "spec.certSecretRef")
	if err != nil {
		return Options{}, err
	}
	return OptionsFromSecrets(ctx, repo.Spec.URL, auth, cert, repo.Spec.PassCredentials, repo.GetTimeout())
}

// SecretNames are the Secrets repo reads, for a watch's index.
func SecretNames(repo *sourcev1.HelmRepository) []string {
	var names []string
	if ref := repo.Spec.SecretRef; ref != nil {
		names = append(names, ref.Name)
	}
	if ref := repo.Spec.CertSecretRef; ref != nil {
		names = append(names, ref.Name)
	}
	return names
}

// readSecret reads the Secret ref names, or returns nil without a ref.
func readSecret(ctx context.Context, c client.Reader, namespace string, ref *meta.LocalObjectReference, field string) (*corev1.Secret, error) {
	if ref == nil {
		return nil, nil
	}
	secret := &corev1.Secret{}
	err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, secret)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%w: secret '%s/%s' named in %s does not exist: create it, or fix the name",
			ErrSecretNotFound, namespace, ref.Name, field)
	}
	if err != nil {
		return nil, fmt.Errorf("read secret '%s/%s' named in %s: %w", namespace, ref.Name, field, err)
	}
	return secret, nil
}
