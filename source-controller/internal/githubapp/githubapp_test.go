package githubapp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidegitops/tide/testkit"
)

// A token is asked for once, then served from the cache until it is
// about to expire, then replaced by a new one; GitHub accepts the JSON web
// token it is asked with.
func TestTokenIsCachedUntilItNearsExpiry(t *testing.T) {
	api := testkit.StartGitHubAPI(t)
	app, err := FromSecret(api.SecretData())
	if err != nil {
		t.Fatal(err)
	}
	first := api.Token()
	now := time.Now()
	tokens := &Tokens{Now: func() time.Time { return now }}
	for range 3 {
		if got, err := tokens.Token(context.Background(), app); err != nil || got != first {
			t.Fatalf("token %q, %v; want the one GitHub issued", got, err)
		}
	}
	if n := api.TokenRequests(); n != 1 {
		t.Errorf("%d token requests for three uses; want 1", n)
	}

	second := api.RotateToken(t)
	now = now.Add(api.TokenTTL - refreshBefore + time.Minute) // within refreshBefore of expiry
	if got, err := tokens.Token(context.Background(), app); err != nil || got != second {
		t.Errorf("token %q, %v near expiry; want a new one", got, err)
	}
	if n := api.TokenRequests(); n != 2 {
		t.Errorf("%d token requests; want a second one once the first token nears expiry", n)
	}

	// Changed credentials never reuse a token cached for the old ones.
	data := api.SecretData()
	data[KeyInstallationID] = []byte("999")
	other, err := FromSecret(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tokens.Token(context.Background(), other); err == nil {
		t.Error("a token for another installation came from the cache")
	}
}

// Reconciles that need the same App's token at once share one request.
func TestConcurrentRequestsShareOneToken(t *testing.T) {
	api := testkit.StartGitHubAPI(t)
	app, err := FromSecret(api.SecretData())
	if err != nil {
		t.Fatal(err)
	}
	tokens := &Tokens{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := tokens.Token(context.Background(), app); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := api.TokenRequests(); n != 1 {
		t.Errorf("%d token requests from 8 concurrent reconciles; want 1", n)
	}
}

// GitHub's refusals say which key to check, and never repeat a secret.
func TestTokenRefusals(t *testing.T) {
	api := testkit.StartGitHubAPI(t)
	otherKey := testkit.StartGitHubAPI(t).PrivateKeyPEM()
	tests := []struct {
		name   string
		change func(map[string][]byte)
		want   string
	}{
		{"another App's key", func(d map[string][]byte) { d[KeyPrivateKey] = otherKey }, "HTTP 401"},
		{"another App", func(d map[string][]byte) { d[KeyAppID] = []byte("4321") }, "check 'githubAppID'"},
		{"unknown installation", func(d map[string][]byte) { d[KeyInstallationID] = []byte("1") }, "App 1234 has no installation 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := api.SecretData()
			tt.change(data)
			app, err := FromSecret(data)
			if err != nil {
				t.Fatal(err)
			}
			_, err = (&Tokens{}).Token(context.Background(), app)
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want a refusal containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), api.Token()) {
				t.Errorf("the error carries a secret: %v", err)
			}
		})
	}

	app, err := FromSecret(map[string][]byte{
		KeyAppID: []byte("1"), KeyInstallationID: []byte("2"), KeyPrivateKey: api.PrivateKeyPEM(),
		KeyBaseURL: []byte(testkit.UnreachableURL(t)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&Tokens{}).Token(context.Background(), app); err == nil || errors.Is(err, ErrRefused) ||
		!strings.Contains(err.Error(), "cannot reach the GitHub API") {
		t.Errorf("unreachable API: %v", err)
	}
}

func TestFromSecretNamesTheKeyAtFault(t *testing.T) {
	api := testkit.StartGitHubAPI(t)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	tests := []struct {
		name   string
		change func(map[string][]byte)
		want   string
	}{
		{"no app ID", func(d map[string][]byte) { delete(d, KeyAppID) }, "no 'githubAppID'"},
		{"no installation ID nor owner", func(d map[string][]byte) { delete(d, KeyInstallationID) },
			"no 'githubAppInstallationID' nor 'githubAppInstallationOwner'"},
		{"installation ID and owner", func(d map[string][]byte) { d[KeyInstallationOwner] = []byte("tide-org") },
			"both 'githubAppInstallationID' and 'githubAppInstallationOwner'"},
		{"owner not a login", func(d map[string][]byte) {
			delete(d, KeyInstallationID)
			d[KeyInstallationOwner] = []byte("tide-org/../app")
		}, "'githubAppInstallationOwner' must be the login"},
		{"no private key", func(d map[string][]byte) { delete(d, KeyPrivateKey) }, "no 'githubAppPrivateKey'"},
		{"installation ID not a number", func(d map[string][]byte) { d[KeyInstallationID] = []byte("12/../34") }, "'githubAppInstallationID' must be a number"},
		{"key not PEM", func(d map[string][]byte) { d[KeyPrivateKey] = []byte("s3cr3t-not-a-key") }, "'githubAppPrivateKey' is not a PEM private key"},
		{"key not RSA", func(d map[string][]byte) {
			d[KeyPrivateKey] = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
		}, "not an RSA private key"},
		{"base URL not a URL", func(d map[string][]byte) { d[KeyBaseURL] = []byte("ghe.example.com") }, "'githubAppBaseURL' must be an https URL"},
		{"base URL in clear text", func(d map[string][]byte) { d[KeyBaseURL] = []byte("http://ghe.example.com/api/v3") }, "'githubAppBaseURL' must be an https URL"},
		{"CA not PEM", func(d map[string][]byte) { d["caFile"] = []byte("nope") }, "'caFile' holds no PEM certificate"},
		{"client certificate without its key", func(d map[string][]byte) { d["tls.crt"] = []byte("nope") }, "'tls.crt' and 'tls.key' are not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := api.SecretData()
			tt.change(data)
			_, err := FromSecret(data)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want ErrInvalid containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("the error carries the key: %v", err)
			}
		})
	}

	data := api.SecretData()
	delete(data, KeyBaseURL)
	app, err := FromSecret(data)
	if err != nil || app.BaseURL != DefaultBaseURL {
		t.Errorf("without a base URL: %v, %v; want GitHub.com's API", app, err)
	}
}

// With githubAppInstallationOwner instead of an ID, the installation is
// found through the API (an organization's first, then a user's), only when
// a token is asked for: a cached token costs no lookup. An owner the App is
// not installed on is a refusal that names the key.
func TestTokenByInstallationOwner(t *testing.T) {
	for _, isUser := range []bool{false, true} {
		api := testkit.StartGitHubAPI(t)
		api.OwnerIsUser = isUser
		app, err := FromSecret(api.SecretDataByOwner())
		if err != nil {
			t.Fatal(err)
		}
		tokens := &Tokens{}
		for range 2 {
			if got, err := tokens.Token(context.Background(), app); err != nil || got != api.Token() {
				t.Fatalf("user %v: token %q, %v; want the installation's", isUser, got, err)
			}
		}
		wantLookups := int64(1) // the organization's installation
		if isUser {
			wantLookups = 2 // no organization of that name, then the user's
		}
		if n := api.InstallationLookups(); n != wantLookups || api.TokenRequests() != 1 {
			t.Errorf("user %v: %d lookups and %d token requests for two uses; want %d and 1",
				isUser, n, api.TokenRequests(), wantLookups)
		}
	}

	api := testkit.StartGitHubAPI(t)
	data := api.SecretDataByOwner()
	data[KeyInstallationOwner] = []byte("someone-else")
	app, err := FromSecret(data)
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&Tokens{}).Token(context.Background(), app)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "named 'someone-else': check 'githubAppInstallationOwner'") {
		t.Fatalf("unknown owner: %v; want a refusal naming the key", err)
	}
	if api.TokenRequests() != 0 {
		t.Errorf("%d token requests without an installation; want 0", api.TokenRequests())
	}

	// Another App's key is refused at the lookup already.
	data = api.SecretDataByOwner()
	data[KeyPrivateKey] = testkit.StartGitHubAPI(t).PrivateKeyPEM()
	if app, err = FromSecret(data); err != nil {
		t.Fatal(err)
	}
	_, err = (&Tokens{}).Token(context.Background(), app)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "'githubAppPrivateKey'") ||
		strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Errorf("another App's key: %v; want a refusal naming the key, without it", err)
	}
}
