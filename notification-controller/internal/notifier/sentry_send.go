package notifier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hashicorp/go-retryablehttp"
)

// sentrySend is the HTTP path of one Sentry notification: the Provider's
// TLS, proxy, headers and retries (the client of the other types), bound to
// the Post's context, and a record of the last answer, which the SDK's
// transport only logs.
type sentrySend struct {
	ctx   context.Context
	opts  Options
	retry http.RoundTripper

	sent   bool
	status int
	answer []byte
	err    error
}

func newSentrySend(ctx context.Context, o Options) *sentrySend {
	return &sentrySend{ctx: ctx, opts: o, retry: &retryablehttp.RoundTripper{Client: newHTTPClient(o)}}
}

// client is the HTTP client the SDK sends with.
func (s *sentrySend) client() *http.Client {
	return &http.Client{Transport: s}
}

// RoundTrip sends the SDK's envelope request and keeps its outcome.
func (s *sentrySend) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.WithContext(s.ctx)
	for k, v := range s.opts.Headers {
		r.Header.Set(k, v)
	}
	s.sent = true
	resp, err := s.retry.RoundTrip(r)
	if err != nil {
		s.err = err
		return nil, err
	}
	s.status = resp.StatusCode
	if s.status < 200 || s.status >= 300 {
		s.answer, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(s.answer))
	}
	return resp, nil
}

// result turns the outcome into Post's error.
func (s *sentrySend) result() error {
	target := "Sentry"
	if !s.opts.SecretAddress {
		if u, err := url.Parse(s.opts.URL); err == nil {
			target = "Sentry at " + u.Host
		}
	}
	switch {
	case !s.sent:
		return fmt.Errorf("the Sentry SDK sent nothing to %s (event dropped or rate limited)", target)
	case s.err != nil:
		err := s.err
		// The transport's error quotes the URL: keep only its cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("send to %s: %w", target, err)
	case s.status < 200 || s.status >= 300:
		return fmt.Errorf("%s answered %d: %s", target, s.status, firstLine(s.answer))
	}
	return nil
}
