package gitclient

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// Keys of the credentials secret, as Flux documents them.
const (
	KeyUsername    = "username"
	KeyPassword    = "password"
	KeyBearerToken = "bearerToken"
	KeyCA          = "ca.crt"
	KeyCAFile      = "caFile" // the older name of ca.crt, read when ca.crt is absent
	KeyCert        = "tls.crt"
	KeyKey         = "tls.key"
	KeyIdentity    = "identity"
	KeyKnownHosts  = "known_hosts"
)

// Auth is how to authenticate to a remote. A nil *Auth, or a zero Auth, is
// anonymous access over HTTP(S); SSH always needs an Auth with a Method.
//
// Its String never prints credentials.
type Auth struct {
	// Method is the go-git auth method: *githttp.BasicAuth, *githttp.TokenAuth
	// or *gitssh.PublicKeys (with a HostKeyCallback); nil for anonymous.
	Method transport.AuthMethod
	// CABundle is PEM certificates trusted in addition to the system pool.
	CABundle []byte
	// ClientCert and ClientKey are a PEM client certificate for mTLS.
	ClientCert, ClientKey []byte
	// Proxy is the proxy to reach the server through, if any.
	Proxy transport.ProxyOptions
	// SSH overrides the algorithms of SSH connections (unused for HTTP).
	SSH SSHAlgorithms
}

// AuthFromSecret builds the Auth for repoURL from a Secret's data. Which keys
// are used depends on the URL scheme:
//
//   - http(s): "username" and "password" (basic auth) or "bearerToken";
//     optionally "ca.crt" (or "caFile", its older name) and "tls.crt" with
//     "tls.key".
//   - ssh: "identity" (private key) and "known_hosts" (both required),
//     optionally "password" (passphrase of the key).
//
// Errors wrap ErrInvalidAuth, name the offending key, and never contain a
// secret value. A nil or empty data is anonymous access (an error for ssh).
func AuthFromSecret(repoURL string, data map[string][]byte) (*Auth, error) {
	ep, err := transport.NewEndpoint(repoURL)
	if err != nil {
		return nil, invalidURL(ErrInvalidAuth, err)
	}
	// Values written with echo often end in a newline; nothing else is trimmed.
	get := func(k string) string { return strings.TrimRight(string(data[k]), "\r\n") }
	switch ep.Protocol {
	case "http", "https":
		return httpAuth(data, get)
	case "ssh":
		return sshAuthFromSecret(ep, data, get)
	default:
		return nil, newError(ErrInvalidAuth, "URL scheme %q is not supported: use http, https or ssh", ep.Protocol)
	}
}

func httpAuth(data map[string][]byte, get func(string) string) (*Auth, error) {
	a := &Auth{}
	user, pass, token := get(KeyUsername), get(KeyPassword), get(KeyBearerToken)
	switch {
	case token != "" && (user != "" || pass != ""):
		return nil, newError(ErrInvalidAuth,
			"secret has both '%s' and '%s'/'%s': keep only one way to authenticate", KeyBearerToken, KeyUsername, KeyPassword)
	case token != "":
		a.Method = &githttp.TokenAuth{Token: token}
	case user != "" && pass == "":
		return nil, newError(ErrInvalidAuth, "secret has '%s' but no '%s': add the '%s' key", KeyUsername, KeyPassword, KeyPassword)
	case pass != "" && user == "":
		return nil, newError(ErrInvalidAuth, "secret has '%s' but no '%s': add the '%s' key", KeyPassword, KeyUsername, KeyUsername)
	case user != "":
		a.Method = &githttp.BasicAuth{Username: user, Password: pass}
	}
	caKey := KeyCA
	if len(data[KeyCA]) == 0 && len(data[KeyCAFile]) > 0 {
		caKey = KeyCAFile
	}
	if ca := data[caKey]; len(ca) > 0 {
		if err := checkCertificates(ca); err != nil {
			return nil, newError(ErrInvalidAuth, "'%s' is not valid: %s", caKey, err)
		}
		a.CABundle = ca
	}
	cert, key := data[KeyCert], data[KeyKey]
	switch {
	case len(cert) > 0 && len(key) == 0:
		return nil, newError(ErrInvalidAuth, "secret has '%s' but no '%s': add the client certificate's private key", KeyCert, KeyKey)
	case len(key) > 0 && len(cert) == 0:
		return nil, newError(ErrInvalidAuth, "secret has '%s' but no '%s': add the client certificate", KeyKey, KeyCert)
	case len(cert) > 0:
		if _, err := tls.X509KeyPair(cert, key); err != nil {
			return nil, newError(ErrInvalidAuth,
				"'%s' and '%s' are not a valid PEM certificate and matching private key", KeyCert, KeyKey)
		}
		a.ClientCert, a.ClientKey = cert, key
	}
	return a, nil
}

// checkCertificates reports whether pemData holds at least one certificate
// and only valid ones. Its messages contain no certificate data.
func checkCertificates(pemData []byte) error {
	n := 0
	for rest := pemData; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		n++
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return fmt.Errorf("certificate %d cannot be parsed", n)
		}
	}
	if n == 0 {
		return fmt.Errorf("no PEM certificate found")
	}
	return nil
}

// WithProxy returns a copy of a that connects through the proxy at address
// (e.g. http://proxy:3128, or socks5:// for SSH), with optional credentials.
// a may be nil. Errors wrap ErrInvalidAuth and name the proxy secret's keys.
func (a *Auth) WithProxy(address, username, password string) (*Auth, error) {
	out := &Auth{}
	if a != nil {
		*out = *a
	}
	address = strings.TrimSpace(address)
	if address == "" {
		return nil, newError(ErrInvalidAuth, "proxy secret has no 'address': add the proxy's URL under 'address'")
	}
	u, err := url.Parse(address)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, newError(ErrInvalidAuth, "proxy 'address' is not a URL like http://proxy.example:3128")
	}
	if u.User != nil {
		return nil, newError(ErrInvalidAuth, "proxy 'address' must not contain credentials: use the 'username' and 'password' keys")
	}
	if password != "" && username == "" {
		return nil, newError(ErrInvalidAuth, "proxy secret has 'password' but no 'username': add the 'username' key")
	}
	out.Proxy = transport.ProxyOptions{URL: address, Username: username, Password: password}
	return out, nil
}

// String describes the auth without any secret.
func (a Auth) String() string {
	var parts []string
	switch m := a.Method.(type) {
	case nil:
		parts = append(parts, "anonymous")
	case *githttp.BasicAuth:
		parts = append(parts, fmt.Sprintf("basic auth as %q", m.Username))
	case *githttp.TokenAuth:
		parts = append(parts, "bearer token")
	case *gitssh.PublicKeys:
		parts = append(parts, fmt.Sprintf("ssh key %s as %q", ssh.FingerprintSHA256(m.Signer.PublicKey()), m.User))
	default:
		parts = append(parts, m.Name())
	}
	if len(a.CABundle) > 0 {
		parts = append(parts, "custom CA")
	}
	if len(a.ClientCert) > 0 {
		parts = append(parts, "client certificate")
	}
	if a.Proxy.URL != "" {
		parts = append(parts, "proxy "+a.Proxy.URL)
	}
	return strings.Join(parts, ", ")
}

// GoString keeps %#v from printing secrets too.
func (a Auth) GoString() string { return "gitclient.Auth{" + a.String() + "}" }

// secrets are the strings to scrub from error messages.
func (a *Auth) secrets() []string {
	var s []string
	switch m := a.Method.(type) {
	case *githttp.BasicAuth:
		s = append(s, m.Password)
	case *githttp.TokenAuth:
		s = append(s, m.Token)
	}
	if a.Proxy.Password != "" {
		s = append(s, a.Proxy.Password)
	}
	return s
}
