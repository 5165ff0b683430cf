package ocirepository

import (
	"context"
	"crypto/tls"
	"errors"
	"net/url"

	"github.com/fluxcd/pkg/runtime/secrets"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/skeleton"
)

// readAuth reads what reaching the registry takes: the docker config JSON of
// spec.secretRef (and of spec.serviceAccountName's imagePullSecrets), the
// certificates of spec.certSecretRef, the proxy of spec.proxySecretRef, and
// spec.insecure. A missing or malformed Secret stalls the object: the user
// must fix it, and the Secret watch brings the object back.
func (r *Reconciler) readAuth(ctx context.Context, s *scope) error {
	opts, tlsData, err := r.clientOptions(ctx, s.obj)
	if err != nil {
		return failed(s.obj, sourcev1.FetchFailedCondition, err)
	}
	client, err := r.clients.get(opts, tlsData)
	if err != nil {
		if errors.Is(err, ociartifact.ErrInvalidCredentials) {
			err = skeleton.Stall(sourcev1.AuthenticationFailedReason, "spec.secretRef: %s", err.Error())
		}
		return failed(s.obj, sourcev1.FetchFailedCondition, err)
	}
	s.client = client
	return nil
}

// clientOptions turns the object's Secrets and spec.insecure into the
// options of a registry client, and returns the certificate Secret's data
// the TLS configuration came from.
func (r *Reconciler) clientOptions(ctx context.Context, obj *sourcev1.OCIRepository) (ociartifact.Options, map[string][]byte, error) {
	opts := ociartifact.Options{Insecure: obj.Spec.Insecure, UserAgent: userAgent}
	configs, err := r.dockerConfigs(ctx, obj)
	if err != nil {
		return opts, nil, err
	}
	if len(configs) > 0 {
		merged, err := mergeDockerConfigs(configs)
		if err != nil {
			return opts, nil, err
		}
		opts.DockerConfigJSON = merged
	}
	var tlsData map[string][]byte
	if opts.TLSConfig, tlsData, err = r.tlsConfig(ctx, obj); err != nil {
		return opts, nil, err
	}
	if opts.ProxyURL, err = r.proxyURL(ctx, obj); err != nil {
		return opts, nil, err
	}
	return opts, tlsData, nil
}

// tlsConfig reads spec.certSecretRef (ca.crt, tls.crt and tls.key), with the
// system's CAs kept, as Flux does. Without it, spec.insecure also skips the
// verification of an HTTPS registry's certificate: Flux allows exactly this
// one exception, for registries that tools like crane reach insecurely.
func (r *Reconciler) tlsConfig(ctx context.Context, obj *sourcev1.OCIRepository) (*tls.Config, map[string][]byte, error) {
	ref := obj.Spec.CertSecretRef
	if ref == nil || ref.Name == "" {
		if obj.Spec.Insecure {
			return &tls.Config{InsecureSkipVerify: true}, nil, nil //nolint:gosec // spec.insecure, as in Flux
		}
		return nil, nil, nil
	}
	secret, err := r.secret(ctx, obj, ref.Name, "spec.certSecretRef")
	if err != nil {
		return nil, nil, err
	}
	cfg, err := secrets.TLSConfigFromSecret(ctx, secret, secrets.WithSystemCertPool())
	if err != nil {
		return nil, nil, skeleton.Stall(sourcev1.AuthenticationFailedReason,
			"secret '%s' named in spec.certSecretRef: %s: it needs a PEM ca.crt, or tls.crt with tls.key, or all three",
			ref.Name, err.Error())
	}
	return cfg, secret.Data, nil
}

// proxyURL reads spec.proxySecretRef: address, and optionally username and
// password. No reference is no proxy.
func (r *Reconciler) proxyURL(ctx context.Context, obj *sourcev1.OCIRepository) (*url.URL, error) {
	ref := obj.Spec.ProxySecretRef
	if ref == nil {
		return nil, nil
	}
	secret, err := r.secret(ctx, obj, ref.Name, "spec.proxySecretRef")
	if err != nil {
		return nil, err
	}
	proxy, err := secrets.ProxyURLFromSecret(ctx, secret)
	if err != nil {
		// The parse error may quote the address, and with it a password.
		var missing *secrets.KeyNotFoundError
		msg := "'address' is not a valid http, https or socks5 URL"
		if errors.As(err, &missing) {
			msg = "it has no 'address'"
		}
		return nil, skeleton.Stall(sourcev1.AuthenticationFailedReason,
			"secret '%s' named in spec.proxySecretRef: %s: fix the Secret", ref.Name, msg)
	}
	return proxy, nil
}

// secret reads a Secret of the object's namespace, explaining a missing one.
func (r *Reconciler) secret(ctx context.Context, obj *sourcev1.OCIRepository, name, field string) (*corev1.Secret, error) {
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

// userAgent is sent with every registry request.
const userAgent = "tide-source-controller"
