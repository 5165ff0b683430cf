package testkit

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// GitHubAPI stands in for as much of GitHub's REST API as a GitHub App
// installation token takes, each call answered only for a JSON web token
// signed with the App's key, as GitHub checks it:
//
//   - POST /app/installations/{id}/access_tokens: a new installation token;
//   - GET /orgs/{org}/installation and GET /users/{user}/installation: the
//     App's installation on that account (an organization, or a user if
//     OwnerIsUser), found by login regardless of case, 404 otherwise.
//
// Serve Git with WithBasicAuth("x-access-token", api.Token()) to accept the
// tokens it hands out.
type GitHubAPI struct {
	URL            string
	AppID          string
	InstallationID string
	// Owner is the login of the account the App is installed on;
	// OwnerIsUser makes it a user's account instead of an organization's.
	// Set them before the first request.
	Owner       string
	OwnerIsUser bool
	// TokenTTL is how long the tokens it hands out are valid.
	TokenTTL time.Duration
	key      *rsa.PrivateKey
	requests atomic.Int64
	lookups  atomic.Int64
	token    atomic.Value // string: what every successful request gets
}

// StartGitHubAPI starts the API for a new App (ID 1234) installed once
// (installation 5678) on the organization "tide-org"; it stops when the
// test ends.
func StartGitHubAPI(t testing.TB) *GitHubAPI {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	api := &GitHubAPI{AppID: "1234", InstallationID: "5678", Owner: "tide-org", TokenTTL: time.Hour, key: key}
	api.token.Store("ghs_" + randomString(t))
	srv := httptest.NewServer(http.HandlerFunc(api.serve))
	t.Cleanup(srv.Close)
	api.URL = srv.URL
	return api
}

// PrivateKeyPEM is the App's private key as GitHub hands it out (PKCS#1).
func (a *GitHubAPI) PrivateKeyPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(a.key)})
}

// SecretData is the Secret a GitRepository with provider: github names
// for this App, with Flux's keys.
func (a *GitHubAPI) SecretData() map[string][]byte {
	return map[string][]byte{
		"githubAppID": []byte(a.AppID), "githubAppInstallationID": []byte(a.InstallationID),
		"githubAppPrivateKey": a.PrivateKeyPEM(), "githubAppBaseURL": []byte(a.URL),
	}
}

// SecretDataByOwner is SecretData naming the installation by its owner
// (githubAppInstallationOwner) instead of its ID.
func (a *GitHubAPI) SecretDataByOwner() map[string][]byte {
	data := a.SecretData()
	delete(data, "githubAppInstallationID")
	data["githubAppInstallationOwner"] = []byte(a.Owner)
	return data
}

// Token is the installation token the API hands out now.
func (a *GitHubAPI) Token() string { return a.token.Load().(string) }

// RotateToken makes the API hand out a new token from now on, and returns
// it; earlier tokens stay valid until they expire, as on GitHub.
func (a *GitHubAPI) RotateToken(t testing.TB) string {
	v := "ghs_" + randomString(t)
	a.token.Store(v)
	return v
}

// TokenRequests counts the token requests, answered or not.
func (a *GitHubAPI) TokenRequests() int64 { return a.requests.Load() }

// InstallationLookups counts the requests for an account's installation
// (organization or user), answered or not.
func (a *GitHubAPI) InstallationLookups() int64 { return a.lookups.Load() }

var notFound = map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

func (a *GitHubAPI) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "app" && parts[1] == "installations" &&
		parts[3] == "access_tokens":
		a.requests.Add(1)
		if a.refuseJWT(w, r) {
			return
		}
		if parts[2] != a.InstallationID {
			answer(w, http.StatusNotFound, notFound)
			return
		}
		answer(w, http.StatusCreated, map[string]any{"token": a.Token(), "expires_at": time.Now().Add(a.TokenTTL).UTC().Format(time.RFC3339)})
	case r.Method == http.MethodGet && len(parts) == 3 && (parts[0] == "orgs" || parts[0] == "users") &&
		parts[2] == "installation":
		a.lookups.Add(1)
		if a.refuseJWT(w, r) {
			return
		}
		if !strings.EqualFold(parts[1], a.Owner) || (parts[0] == "users") != a.OwnerIsUser {
			answer(w, http.StatusNotFound, notFound)
			return
		}
		accountType := "Organization"
		if a.OwnerIsUser {
			accountType = "User"
		}
		id, _ := strconv.ParseInt(a.InstallationID, 10, 64)
		app, _ := strconv.ParseInt(a.AppID, 10, 64)
		answer(w, http.StatusOK, map[string]any{
			"id": id, "app_id": app, "target_type": accountType,
			"account": map[string]any{"login": a.Owner, "type": accountType},
		})
	default:
		answer(w, http.StatusNotFound, notFound)
	}
}

// refuseJWT answers 401 and returns true unless the request carries a JSON
// web token of the App.
func (a *GitHubAPI) refuseJWT(w http.ResponseWriter, r *http.Request) bool {
	if err := a.checkJWT(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")); err != nil {
		answer(w, http.StatusUnauthorized, map[string]any{"message": "A JSON web token could not be decoded: " + err.Error()})
		return true
	}
	return false
}

// checkJWT verifies what GitHub verifies: an RS256 signature by the App's
// key, the App as issuer, and a lifetime of at most ten minutes around now.
func (a *GitHubAPI) checkJWT(jwt string) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&a.key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		return fmt.Errorf("signature: %v", err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return err
	}
	var claims struct {
		Issuer   any   `json:"iss"` // an App ID (a number) or a client ID (a string)
		IssuedAt int64 `json:"iat"`
		Expires  int64 `json:"exp"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return err
	}
	now := time.Now().Unix()
	switch {
	case fmt.Sprint(claims.Issuer) != a.AppID:
		return fmt.Errorf("issuer %v is not the App", claims.Issuer)
	case claims.IssuedAt > now+60 || claims.Expires < now:
		return fmt.Errorf("not valid now")
	case claims.Expires-claims.IssuedAt > 600:
		return fmt.Errorf("valid for more than 10 minutes")
	}
	return nil
}

func answer(w http.ResponseWriter, status int, body map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
