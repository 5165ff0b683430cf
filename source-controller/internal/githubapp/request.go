package githubapp

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ErrRefused is wrapped by the errors of Token when GitHub turned the App's
// credentials down, rather than being out of reach or busy.
var ErrRefused = errors.New("GitHub refused the App's credentials")

// requestToken trades a JSON web token signed with the App's key for an
// installation token (POST /app/installations/{id}/access_tokens), looking
// the installation up by its owner first when the Secret names no ID.
func (a *App) requestToken(ctx context.Context) (string, time.Time, error) {
	jwt, err := a.jwt(time.Now())
	if err != nil {
		return "", time.Time{}, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = a.tls
	if a.Proxy != nil {
		transport.Proxy = http.ProxyURL(a.Proxy)
	}
	defer transport.CloseIdleConnections() // a token is asked for about once an hour
	client := &http.Client{Transport: transport}

	id := a.InstallationID
	if id == "" {
		if id, err = a.findInstallation(ctx, client, jwt); err != nil {
			return "", time.Time{}, err
		}
	}
	resp, err := a.call(ctx, client, http.MethodPost, "/app/installations/"+id+"/access_tokens", jwt)
	if err != nil {
		return "", time.Time{}, err
	}
	defer resp.Body.Close()
	return a.readToken(resp, id)
}

// call sends one request to the API with the JSON web token.
func (a *App) call(ctx context.Context, client *http.Client, method, path, jwt string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, a.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the GitHub API at %s: %w", a.BaseURL, errors.Unwrap(err))
	}
	return resp, nil
}

// findInstallation returns the ID of the App's installation on the account
// a.Owner, asking GitHub for an organization's installation first, then
// for a user's, as Flux does.
func (a *App) findInstallation(ctx context.Context, client *http.Client, jwt string) (string, error) {
	for _, kind := range []string{"orgs", "users"} {
		resp, err := a.call(ctx, client, http.MethodGet, "/"+kind+"/"+url.PathEscape(a.Owner)+"/installation", jwt)
		if err != nil {
			return "", err
		}
		var answer struct {
			ID      int64  `json:"id"`
			Message string `json:"message"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&answer)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK && answer.ID > 0:
			return strconv.FormatInt(answer.ID, 10), nil
		case resp.StatusCode == http.StatusNotFound:
			continue // not an organization with the App: try a user
		default:
			return "", a.failure(resp, answer.Message, "an installation")
		}
	}
	return "", fmt.Errorf("%w (HTTP 404): App %s is not installed on an organization or user named '%s': check '%s', "+
		"and that the App is installed on the repository's account", ErrRefused, a.ID, a.Owner, KeyInstallationOwner)
}

// readToken interprets GitHub's answer to a token request for
// installation id: a token, a refusal naming the key to check, or a passing
// failure (rate limit, outage) to retry.
func (a *App) readToken(resp *http.Response, id string) (string, time.Time, error) {
	var answer struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
		Message   string    `json:"message"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&answer)
	switch {
	case resp.StatusCode == http.StatusCreated && answer.Token != "":
		return answer.Token, answer.ExpiresAt, nil
	case resp.StatusCode == http.StatusNotFound && !rateLimited(resp):
		key := KeyInstallationID
		if a.InstallationID == "" {
			key = KeyInstallationOwner
		}
		return "", time.Time{}, fmt.Errorf("%w (HTTP 404): App %s has no installation %s: check '%s', and that the App is installed on the repository's account",
			ErrRefused, a.ID, id, key)
	default:
		return "", time.Time{}, a.failure(resp, answer.Message, "a token")
	}
}

// failure explains an answer other than the one asked for: a refusal
// naming the key to check, or a passing failure to retry.
func (a *App) failure(resp *http.Response, message, wanted string) error {
	switch {
	case rateLimited(resp):
		return fmt.Errorf("the GitHub API at %s is rate limiting this App (HTTP %d): retrying later",
			a.BaseURL, resp.StatusCode)
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%w (HTTP 401: %s): check '%s' and that '%s' is a current key of that App",
			ErrRefused, quote(message), KeyAppID, KeyPrivateKey)
	case resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w (HTTP 403: %s): the installation may be suspended",
			ErrRefused, quote(message))
	default:
		return fmt.Errorf("the GitHub API at %s answered HTTP %d (%s) instead of %s: retrying",
			a.BaseURL, resp.StatusCode, quote(message), wanted)
	}
}

func rateLimited(resp *http.Response) bool {
	return resp.StatusCode == http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "" ||
		resp.Header.Get("X-RateLimit-Remaining") == "0"
}

// jwt is the App's JSON web token (RS256). It is valid from a minute before
// now, against clock skew, until nine minutes after: ten minutes in all,
// the most GitHub takes.
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
