package artifact

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// A download that fails for a reason that may pass (the source-controller
// restarting, a connection dropped, HTTP 429 or a 5xx other than 501) is
// tried again, up to --http-retry times (Flux's default 9), waiting 5s, then
// twice as long each time up to 30s, as Flux's artifact fetcher does. A
// refusal that will not pass by itself (404, another 4xx, an untrusted
// certificate, a digest mismatch, too large) fails at once. Retries happen
// inside the shared download, which goes on when the Get that started it
// gives up (see Cache.Get): the next Get of the same digest joins it.
// So that an outage does not keep a download going forever, all its
// attempts must end within downloadDeadline.

const (
	defaultRetryWait = 5 * time.Second
	maxRetryWait     = 30 * time.Second
)

// httpStatusError is the status of a response other than 200 OK.
type httpStatusError int

func (e httpStatusError) Error() string { return fmt.Sprintf("HTTP status %d", int(e)) }

type retryPolicy struct {
	retries int
	wait    time.Duration
}

func newRetryPolicy(retries int, wait time.Duration) retryPolicy {
	if wait <= 0 {
		wait = defaultRetryWait
	}
	return retryPolicy{retries: max(retries, 0), wait: wait}
}

// totalWait is the sum of the waits between the attempts of one download
// that is retried p.retries times.
func (p retryPolicy) totalWait() time.Duration {
	var total time.Duration
	wait := p.wait
	for range p.retries {
		total += wait
		wait = min(wait*2, maxRetryWait)
	}
	return total
}

// downloadDeadline bounds one shared download, retries included: long
// enough for every retry of a failure that comes at once (a connection
// refused, a 503), plus one attempt that takes the whole per-attempt
// timeout (0 is taken as defaultTimeout). With Flux's defaults (9 retries,
// 5s doubling up to 30s, 2 minutes) that is 215s + 2m: a stuck download
// cannot stretch to ten attempts of two minutes each.
func downloadDeadline(p retryPolicy, attemptTimeout time.Duration) time.Duration {
	if attemptTimeout <= 0 {
		attemptTimeout = defaultTimeout
	}
	return p.totalWait() + attemptTimeout
}

// do calls fetch until it succeeds, fails for good, or has been retried
// p.retries times. The last error says how many attempts were made.
func (p retryPolicy) do(ctx context.Context, fetch func() (string, error)) (string, error) {
	wait := p.wait
	for attempt := 1; ; attempt++ {
		path, err := fetch()
		if err == nil || !transient(err) {
			return path, err
		}
		if attempt > p.retries {
			return "", attempts(err, attempt)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return "", attempts(err, attempt)
		case <-timer.C:
		}
		wait = min(wait*2, maxRetryWait)
	}
}

// transient reports whether a failed download may succeed when tried again.
func transient(err error) bool {
	if !errors.Is(err, ErrDownload) {
		return false
	}
	if status, ok := errors.AsType[httpStatusError](err); ok {
		return status == http.StatusTooManyRequests ||
			(status >= 500 && status != http.StatusNotImplemented)
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return false
	}
	// A connection or read failure has a cause; an invalid URL has none.
	ke, ok := errors.AsType[*kindError](err)
	return ok && ke.cause != nil
}

// attempts adds the number of attempts to a download error, keeping its kind.
func attempts(err error, n int) error {
	if n <= 1 {
		return err
	}
	return wrapError(ErrDownload, err, "%s (%d attempts, see --http-retry)", err.Error(), n)
}
