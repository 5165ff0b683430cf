package githubapp

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// refreshBefore is how long before its expiry a token is replaced, so that
// no clone starts with a token about to run out (GitHub's last an hour).
const refreshBefore = 5 * time.Minute

// Tokens hands out installation tokens and keeps each until shortly before
// it expires. The zero value is ready to use, and safe for concurrent use:
// reconciles that need the same App's token at once wait for one request.
type Tokens struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte]*entry
	// Now is the clock that expiry is judged by; nil means time.Now. The
	// JSON web token is always signed with the real time, as GitHub checks.
	Now func() time.Time
}

// entry is one set of credentials' token; its lock is held while a new
// token is requested.
type entry struct {
	mu      sync.Mutex
	value   string
	expires time.Time
}

// Token returns an installation token for app, asking GitHub only when no
// token for the same credentials is cached with time to spare. Errors never
// contain the token, the key or the JSON web token.
func (t *Tokens) Token(ctx context.Context, app *App) (string, error) {
	e := t.entry(app)
	e.mu.Lock()
	defer e.mu.Unlock()
	if t.now().Add(refreshBefore).Before(e.expires) {
		return e.value, nil
	}
	value, expires, err := app.requestToken(ctx)
	if err != nil {
		return "", err
	}
	e.value, e.expires = value, expires
	return value, nil
}

// entry returns app's cache entry, and forgets tokens that have expired:
// those of Secrets that changed since would otherwise pile up.
func (t *Tokens) entry(app *App) *entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.entries == nil {
		t.entries = map[[sha256.Size]byte]*entry{}
	}
	now := t.now()
	for k, e := range t.entries {
		if e.mu.TryLock() {
			if !e.expires.IsZero() && !now.Before(e.expires) {
				delete(t.entries, k)
			}
			e.mu.Unlock()
		}
	}
	e, ok := t.entries[app.fingerprint]
	if !ok {
		e = &entry{}
		t.entries[app.fingerprint] = e
	}
	return e
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}
