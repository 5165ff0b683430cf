package registry

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"
)

// RateLimit says how answers of 429 Too Many Requests are waited out.
type RateLimit struct {
	// Retries is how many times one request is sent again after a 429.
	Retries int
	// MaxWait is the longest wait for one retry. A registry asking for
	// longer (Retry-After) gets no retry: the scan fails at once, saying
	// so, and runs again at the next interval.
	MaxWait time.Duration
	// Backoff is the first wait when the registry gives no Retry-After;
	// it doubles with each retry, up to MaxWait.
	Backoff time.Duration
}

// DefaultRateLimit: three retries, waits of at most a minute (the
// request's context, spec.timeout, may end them sooner).
var DefaultRateLimit = RateLimit{Retries: 3, MaxWait: time.Minute, Backoff: time.Second}

func (l RateLimit) orDefault() RateLimit {
	if l == (RateLimit{}) {
		return DefaultRateLimit
	}
	return l
}

// rateLimited sends a request again after a 429, when the registry asked
// for it (Retry-After, in seconds or as a date), or with a doubling
// backoff when it did not say.
type rateLimited struct {
	next  http.RoundTripper
	limit RateLimit
}

func (t *rateLimited) RoundTrip(req *http.Request) (*http.Response, error) {
	backoff := t.limit.Backoff
	for attempt := 0; ; attempt++ {
		resp, err := t.next.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt >= t.limit.Retries || !replayable(req) {
			return resp, err
		}
		wait, asked := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !asked {
			wait = backoff
			backoff *= 2
		}
		if wait > t.limit.MaxWait {
			if asked {
				return resp, nil // longer than a scan should block: fail now
			}
			wait = t.limit.MaxWait
		}
		// The answer is dropped: its body is read so the connection can
		// be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		if req.Body != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
}

// replayable tells whether req can be sent twice.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// retryAfter reads a Retry-After header: a number of seconds or an HTTP
// date. asked is false when there is none, or it cannot be read.
func retryAfter(value string, now time.Time) (wait time.Duration, asked bool) {
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(value); err == nil {
		return max(time.Duration(secs)*time.Second, 0), true
	}
	if at, err := http.ParseTime(value); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
