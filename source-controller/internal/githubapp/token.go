package githubapp

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// refreshBefore is how long before its expiry a token is replaced, so that
// no clone starts with a token about to run out (GitHub's last an hour).
const refreshBefore = 5 * time.Minute

// ErrRefused is wrapped by the errors of Token when GitHub turned the App's
// credentials down, rather than being out of reach.
var ErrRefused = errors.New("GitHub refused the App's credentials")

// Tokens hands out installation tokens and keeps each until shortly before
// it expires. The zero value is ready to use, and safe for concurrent use.
type Tokens struct {
	mu     sync.Mutex
	cached map[[sha256.Size]byte]token
	// Now is the clock that expiry is judged by; nil means time.Now. The
	// JSON web token is always signed with the real time, as GitHub checks.
	Now func() time.Time
}

type token struct {
	value   string
	expires time.Time
}

// Token returns an installation token for app, asking GitHub only when no
// token for the same credentials is cached with time to spare. Errors never
// contain the token, the key or the JSON web token.
func (t *Tokens) Token(ctx context.Context, app *App) (string, error) {
	now := t.now()
	t.mu.Lock()
	cached, ok := t.cached[app.fingerprint]
	t.mu.Unlock()
	if ok && now.Add(refreshBefore).Before(cached.expires) {
		return cached.value, nil
	}
	fresh, err := app.requestToken(ctx, time.Now())
	if err != nil {
		return "", err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cached == nil {
		t.cached = map[[sha256.Size]byte]token{}
	}
	for k, old := range t.cached {
		if !now.Before(old.expires) {
			delete(t.cached, k) // Secrets that changed leave their tokens behind
		}
	}
	t.cached[app.fingerprint] = fresh
	return fresh.value, nil
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// requestToken trades a JSON web token signed with the App's key for an
// installation token (POST /app/installations/{id}/access_tokens).
func (a *App) requestToken(ctx context.Context, now time.Time) (token, error) {
	jwt, err := a.jwt(now)
	if err != nil {
		return token{}, err
	}
	endpoint := a.BaseURL + "/app/installations/" + a.InstallationID + "/access_tokens"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return token{}, err
	}
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	client, err := a.httpClient()
	if err != nil {
		return token{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return token{}, fmt.Errorf("cannot reach the GitHub API at %s: %w", a.BaseURL, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var answer struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		Message   string    `json:"message"`
	}
	_ = json.Unmarshal(body, &answer)
	switch {
	case resp.StatusCode == http.StatusCreated && answer.Token != "":
		return token{value: answer.Token, expires: answer.ExpiresAt}, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return token{}, fmt.Errorf("%w (HTTP 401: %s): check '%s' and that '%s' is a current key of that App",
			ErrRefused, quote(answer.Message), KeyAppID, KeyPrivateKey)
	case resp.StatusCode == http.StatusNotFound:
		return token{}, fmt.Errorf("%w (HTTP 404): App %s has no installation %s: check '%s', and that the App is installed on the repository's account",
			ErrRefused, a.ID, a.InstallationID, KeyInstallationID)
	case resp.StatusCode == http.StatusForbidden:
		return token{}, fmt.Errorf("%w (HTTP 403: %s): the installation may be suspended",
			ErrRefused, quote(answer.Message))
	default:
		return token{}, fmt.Errorf("the GitHub API at %s answered HTTP %d (%s) instead of a token: retrying",
			a.BaseURL, resp.StatusCode, quote(answer.Message))
	}
}

// jwt is the App's JSON web token (RS256), valid for nine minutes: GitHub
// takes at most ten, and it starts a minute early against clock skew.
func (a *App) jwt(now time.Time) (string, error) {
	var issuer any = a.ID
	if n, err := strconv.ParseInt(a.ID, 10, 64); err == nil {
		issuer = n // an App ID; a client ID stays a string
	}
	claims, err := json.Marshal(map[string]any{
		"iat": now.Add(-time.Minute).Unix(),
		"exp": now.Add(9 * time.Minute).Unix(),
		"iss": issuer,
	})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, a.key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("cannot sign with '%s': %w", KeyPrivateKey, err)
	}
	return signed + "." + enc.EncodeToString(sig), nil
}

// httpClient trusts the Secret's CA besides the system's, and presents its
// client certificate, as Git over HTTPS does with the same Secret.
func (a *App) httpClient() (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if len(a.CABundle) == 0 && len(a.ClientCert) == 0 {
		return &http.Client{Transport: transport}, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(a.CABundle) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(a.CABundle) {
			return nil, invalid("'%s' holds no PEM certificate", keyCA)
		}
		cfg.RootCAs = pool
	}
	if len(a.ClientCert) > 0 {
		cert, err := tls.X509KeyPair(a.ClientCert, a.ClientKey)
		if err != nil {
			return nil, invalid("'%s' and '%s' are not a PEM certificate and its private key", keyCert, keyKey)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	transport.TLSClientConfig = cfg
	return &http.Client{Transport: transport}, nil
}

// quote shortens GitHub's explanation for a message.
func quote(s string) string {
	if s == "" {
		return "no explanation"
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strconv.Quote(s)
}
