package helmrepo

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/fluxcd/pkg/runtime/secrets"
	corev1 "k8s.io/api/core/v1"
)

// Options say how to reach one chart repository.
type Options struct {
	// RepoURL is the repository's URL: credentials go to its scheme and
	// host (and port), and elsewhere only with PassCredentials.
	RepoURL string
	// Username and Password are basic auth credentials; both or neither.
	Username, Password string
	// PassCredentials sends the credentials to every host (chart URLs of
	// the index that point to another host).
	PassCredentials bool
	// TLS is the client's TLS configuration (CA, client certificate); nil
	// uses the system's roots.
	TLS *tls.Config
	// Timeout bounds one request, body included; 0 means 60s.
	Timeout time.Duration
	// DeprecatedTLS is true when the TLS material came from the secretRef
	// Secret's 'certFile'/'keyFile'/'caFile', which Flux still reads but
	// deprecates in favour of certSecretRef.
	DeprecatedTLS bool
}

// legacyTLSKeys are the TLS keys Flux still reads from spec.secretRef.
var legacyTLSKeys = []string{secrets.LegacyKeyTLSCert, secrets.LegacyKeyTLSPrivateKey, secrets.LegacyKeyCACert}

// OptionsFromSecrets builds Options from the secretRef Secret (auth) and the
// certSecretRef Secret (cert), either of which may be nil. The certSecretRef
// Secret holds 'ca.crt', 'tls.crt' and 'tls.key'; without one, TLS material
// in the secretRef Secret ('certFile', 'keyFile', 'caFile') is used, as Flux
// still does. Errors wrap ErrInvalidSecret and never quote the data.
func OptionsFromSecrets(ctx context.Context, repoURL string, auth, cert *corev1.Secret, passCredentials bool, timeout time.Duration) (Options, error) {
	opts := Options{RepoURL: repoURL, PassCredentials: passCredentials, Timeout: timeout}
	if auth != nil {
		user, pass := string(auth.Data[secrets.KeyUsername]), string(auth.Data[secrets.KeyPassword])
		if (user == "") != (pass == "") {
			return Options{}, fmt.Errorf("%w: secret '%s' must hold both 'username' and 'password', or neither: add the missing key",
				ErrInvalidSecret, auth.Name)
		}
		opts.Username, opts.Password = user, pass
	}
	tlsSecret := cert
	if tlsSecret == nil && auth != nil && hasAnyKey(auth, legacyTLSKeys) {
		tlsSecret, opts.DeprecatedTLS = auth, true
	}
	if tlsSecret != nil {
		cfg, err := secrets.TLSConfigFromSecret(ctx, tlsSecret)
		if err != nil {
			return Options{}, fmt.Errorf("%w: TLS data of secret '%s': %s: give 'ca.crt' and/or both 'tls.crt' and 'tls.key' as PEM",
				ErrInvalidSecret, tlsSecret.Name, tlsReason(err))
		}
		opts.TLS = cfg
	}
	return opts, nil
}

func hasAnyKey(s *corev1.Secret, keys []string) bool {
	for _, k := range keys {
		if _, ok := s.Data[k]; ok {
			return true
		}
	}
	return false
}

// tlsReason is the cause of a TLS Secret's refusal. The library's messages
// name keys and the Secret, never its data.
func tlsReason(err error) string { return err.Error() }
