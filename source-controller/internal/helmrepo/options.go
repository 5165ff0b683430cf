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
	// BearerToken is sent as "Authorization: Bearer" without basic auth.
	BearerToken string
	// PassCredentials sends the credentials to every host (chart URLs of
	// the index that point to another host).
	PassCredentials bool
	// TLS is the client's TLS configuration (CA, client certificate); nil
	// uses the system's roots.
	TLS *tls.Config
	// Timeout bounds one request, body included; 0 means 60s.
	Timeout time.Duration
	// DeprecatedTLS is true when the TLS material came from the secretRef
	// Secret, which Flux still reads but deprecates in favour of
	// certSecretRef.
	DeprecatedTLS bool
}

// OptionsFromSecrets builds Options from the secretRef Secret (auth) and
// the certSecretRef Secret (cert), either of which may be nil, reading them
// as Flux does: basic auth ('username' and 'password', both or neither)
// from auth; TLS ('ca.crt', 'tls.crt', 'tls.key', or the older 'caFile',
// 'certFile', 'keyFile') from cert, or else from auth, which is
// deprecated. A CA is trusted besides the system's roots, as in Flux.
// Unlike Flux, a 'bearerToken' in auth is sent (Flux ignores it), when
// there is no basic auth. Errors wrap ErrInvalidSecret and never quote the
// data.
func OptionsFromSecrets(ctx context.Context, repoURL string, auth, cert *corev1.Secret, passCredentials bool, timeout time.Duration) (Options, error) {
	opts := Options{RepoURL: repoURL, PassCredentials: passCredentials, Timeout: timeout}
	if cert != nil {
		cfg, err := secrets.TLSConfigFromSecret(ctx, cert, secrets.WithSystemCertPool())
		if err != nil {
			return Options{}, fmt.Errorf("%w: TLS data of secret '%s' (spec.certSecretRef): %s: give 'ca.crt' and/or both 'tls.crt' and 'tls.key' as PEM",
				ErrInvalidSecret, cert.Name, err.Error())
		}
		opts.TLS = cfg
	}
	if auth == nil {
		return opts, nil
	}
	// Like Flux, TLS data in the secretRef Secret that is incomplete (a
	// certificate without its key) is not an error there: it is not used.
	methods, err := secrets.AuthMethodsFromSecret(ctx, auth, secrets.WithTLSSystemCertPool())
	if err != nil {
		return Options{}, fmt.Errorf("%w (spec.secretRef): %s: add the missing key, or remove the partial credentials",
			ErrInvalidSecret, err.Error())
	}
	if methods.HasBasicAuth() {
		opts.Username, opts.Password = methods.Basic.Username, methods.Basic.Password
	} else if methods.Bearer != "" {
		opts.BearerToken = string(methods.Bearer)
	}
	if opts.TLS == nil && methods.HasTLS() {
		opts.TLS, opts.DeprecatedTLS = methods.TLS, true
	}
	return opts, nil
}

// String describes the options without their secrets, so that printing
// them by mistake (a log line, a test failure) shows none.
func (o Options) String() string {
	return fmt.Sprintf("{RepoURL:%s BasicAuth:%t Bearer:%t PassCredentials:%t TLS:%t Timeout:%s}",
		redact(o.RepoURL), o.Username != "", o.BearerToken != "", o.PassCredentials, o.TLS != nil, o.Timeout)
}
