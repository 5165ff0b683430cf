// Package githubapp lets the source-controller read Git over HTTPS as a
// GitHub App installation (a GitRepository with provider: github), as Flux
// does: the App's private key signs a short-lived JSON web token, GitHub's
// API trades it for an installation token, and that token is the password
// of basic auth. Tokens are kept until shortly before they expire, so
// checking an unchanged repository costs no API call.
package githubapp

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/tidegitops/tide/gitclient"
)

// Keys of the Secret named by spec.secretRef, as Flux documents them. The
// Secret may also hold a CA ('ca.crt', or 'caFile') for GitHub Enterprise
// Server with a private CA, and 'tls.crt'/'tls.key' for mutual TLS; they
// serve the API as they serve Git.
// The installation is named by its ID, or by the login of the account
// (organization or user) it is installed on: then it is looked up through
// the API each time a token is asked for, as Flux does.
const (
	KeyAppID             = "githubAppID"
	KeyInstallationID    = "githubAppInstallationID"
	KeyInstallationOwner = "githubAppInstallationOwner"
	KeyPrivateKey        = "githubAppPrivateKey"
	KeyBaseURL           = "githubAppBaseURL"
)

// DefaultBaseURL is GitHub.com's API; GitHub Enterprise Server's is
// https://HOSTNAME/api/v3.
const DefaultBaseURL = "https://api.github.com"

// Username goes with an installation token in basic auth.
const Username = "x-access-token"

// ErrInvalid is wrapped by the errors of FromSecret.
var ErrInvalid = errors.New("invalid GitHub App secret")

// App is a GitHub App installation's credentials.
type App struct {
	ID             string
	InstallationID string // or, when empty:
	Owner          string // the account the App is installed on
	BaseURL        string
	// Proxy, if set, is the proxy the API is reached through (with its
	// credentials in User); otherwise the environment's, as for Git.
	Proxy *url.URL
	key   *rsa.PrivateKey
	tls   *tls.Config // nil: the system's roots, no client certificate
	// fingerprint tells apart the credentials a token was issued for, so
	// that a changed Secret never gets a token cached for the old one.
	fingerprint [sha256.Size]byte
}

// FromSecret reads the App from a Secret's data. Errors wrap ErrInvalid and
// name the key at fault, never its value.
func FromSecret(data map[string][]byte) (*App, error) {
	get := func(k string) string { return strings.TrimSpace(string(data[k])) }
	app := &App{ID: get(KeyAppID), InstallationID: get(KeyInstallationID), Owner: get(KeyInstallationOwner),
		BaseURL: get(KeyBaseURL)}
	for _, k := range []string{KeyAppID, KeyPrivateKey} {
		if get(k) == "" {
			return nil, invalid("the secret has no '%s': add it (provider 'github' needs '%s', '%s' or '%s', and '%s')",
				k, KeyAppID, KeyInstallationID, KeyInstallationOwner, KeyPrivateKey)
		}
	}
	if strings.ContainsAny(app.ID, " /?#") {
		return nil, invalid("'%s' must be the App's ID or client ID", KeyAppID)
	}
	if err := app.checkInstallation(); err != nil {
		return nil, err
	}
	if err := app.setBaseURL(); err != nil {
		return nil, err
	}
	key, err := parseKey(data[KeyPrivateKey])
	if err != nil {
		return nil, err
	}
	app.key = key
	if app.tls, err = tlsConfig(data); err != nil {
		return nil, err
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(app.ID), []byte(app.InstallationID), []byte(app.Owner), []byte(app.BaseURL),
		data[KeyPrivateKey], data[gitclient.KeyCA], data[gitclient.KeyCAFile],
		data[gitclient.KeyCert], data[gitclient.KeyKey]} {
		fmt.Fprintf(h, "%d:", len(part))
		h.Write(part)
	}
	copy(app.fingerprint[:], h.Sum(nil))
	return app, nil
}

// checkInstallation checks that the installation is named one way, as Flux
// requires: by its ID (a number) or by its owner's login.
func (a *App) checkInstallation() error {
	switch {
	case a.InstallationID == "" && a.Owner == "":
		return invalid("the secret has no '%s' nor '%s': add one of them (the installation's ID from its settings page, "+
			"or the organization or user the App is installed on)", KeyInstallationID, KeyInstallationOwner)
	case a.InstallationID != "" && a.Owner != "":
		return invalid("the secret has both '%s' and '%s': keep only one of them", KeyInstallationID, KeyInstallationOwner)
	case strings.Trim(a.InstallationID, "0123456789") != "":
		return invalid("'%s' must be a number: the installation's ID from its settings page", KeyInstallationID)
	case strings.ContainsAny(a.Owner, " /?#%\\") || a.Owner == "." || a.Owner == "..":
		return invalid("'%s' must be the login of the organization or user the App is installed on", KeyInstallationOwner)
	}
	return nil
}

// setBaseURL checks the API's URL: https, as the JSON web token sent there
// could mint tokens for every installation of the App while it lasts; plain
// http only to this machine, for tests.
func (a *App) setBaseURL() error {
	if a.BaseURL == "" {
		a.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(a.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return invalid("'%s' must be an https URL such as https://github.example.com/api/v3", KeyBaseURL)
	}
	a.BaseURL = strings.TrimSuffix(a.BaseURL, "/")
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// tlsConfig trusts the Secret's CA besides the system's, and presents its
// client certificate, as Git over HTTPS does with the same Secret.
func tlsConfig(data map[string][]byte) (*tls.Config, error) {
	caKey := gitclient.KeyCA
	if len(data[caKey]) == 0 {
		caKey = gitclient.KeyCAFile
	}
	ca, cert, key := data[caKey], data[gitclient.KeyCert], data[gitclient.KeyKey]
	if len(ca) == 0 && len(cert) == 0 && len(key) == 0 {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(ca) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(ca) {
			return nil, invalid("'%s' holds no PEM certificate", caKey)
		}
		cfg.RootCAs = pool
	}
	if len(cert) > 0 || len(key) > 0 {
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, invalid("'%s' and '%s' are not a PEM certificate and its private key", gitclient.KeyCert, gitclient.KeyKey)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// parseKey reads the App's RSA private key, in the PKCS#1 form GitHub
// hands out or as PKCS#8.
func parseKey(pemData []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, invalid("'%s' is not a PEM private key: paste the whole .pem file GitHub generated", KeyPrivateKey)
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	if key, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if rsaKey, ok := key.(*rsa.PrivateKey); ok {
			return rsaKey, nil
		}
	}
	return nil, invalid("'%s' is not an RSA private key: GitHub App keys are RSA", KeyPrivateKey)
}

// invalidError is an ErrInvalid whose message is only the explanation.
type invalidError struct{ msg string }

func (e *invalidError) Error() string        { return e.msg }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}
