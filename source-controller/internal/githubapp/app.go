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
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Keys of the Secret named by spec.secretRef, as Flux documents them. The
// Secret may also hold 'ca.crt' (a private CA of GitHub Enterprise Server)
// and 'tls.crt'/'tls.key' (mutual TLS); they are used for the API as for Git.
const (
	KeyAppID          = "githubAppID"
	KeyInstallationID = "githubAppInstallationID"
	KeyPrivateKey     = "githubAppPrivateKey"
	KeyBaseURL        = "githubAppBaseURL"
	keyCA             = "ca.crt"
	keyCAFile         = "caFile" // the older name of ca.crt
	keyCert           = "tls.crt"
	keyKey            = "tls.key"
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
	InstallationID string
	BaseURL        string
	key            *rsa.PrivateKey
	// CABundle, ClientCert and ClientKey are PEM, for the API's TLS.
	CABundle, ClientCert, ClientKey []byte
	// fingerprint tells apart the credentials a token was issued for, so
	// that a changed Secret never gets a token cached for the old one.
	fingerprint [sha256.Size]byte
}

// FromSecret reads the App from a Secret's data. Errors wrap ErrInvalid and
// name the key at fault, never its value.
func FromSecret(data map[string][]byte) (*App, error) {
	get := func(k string) string { return strings.TrimSpace(string(data[k])) }
	app := &App{
		ID: get(KeyAppID), InstallationID: get(KeyInstallationID), BaseURL: get(KeyBaseURL),
		CABundle: data[keyCA], ClientCert: data[keyCert], ClientKey: data[keyKey],
	}
	if len(app.CABundle) == 0 {
		app.CABundle = data[keyCAFile]
	}
	for _, k := range []string{KeyAppID, KeyInstallationID, KeyPrivateKey} {
		if get(k) == "" {
			return nil, invalid("the secret has no '%s': add it (provider 'github' needs '%s', '%s' and '%s')",
				k, KeyAppID, KeyInstallationID, KeyPrivateKey)
		}
	}
	if strings.ContainsAny(app.ID, " /?#") {
		return nil, invalid("'%s' must be the App's ID or client ID", KeyAppID)
	}
	if strings.Trim(app.InstallationID, "0123456789") != "" {
		return nil, invalid("'%s' must be a number: the installation's ID from its settings page", KeyInstallationID)
	}
	if app.BaseURL == "" {
		app.BaseURL = DefaultBaseURL
	}
	if u, err := url.Parse(app.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, invalid("'%s' must be an http(s) URL such as https://github.example.com/api/v3", KeyBaseURL)
	}
	app.BaseURL = strings.TrimSuffix(app.BaseURL, "/")
	key, err := parseKey(data[KeyPrivateKey])
	if err != nil {
		return nil, err
	}
	app.key = key
	h := sha256.New()
	for _, part := range [][]byte{[]byte(app.ID), []byte(app.InstallationID), []byte(app.BaseURL),
		x509.MarshalPKCS1PrivateKey(key), app.CABundle, app.ClientCert, app.ClientKey} {
		fmt.Fprintf(h, "%d:", len(part))
		h.Write(part)
	}
	copy(app.fingerprint[:], h.Sum(nil))
	return app, nil
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
