package notifier

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retries is how many times a request answered 429 or 5xx (or not answered)
// is tried again, waiting 1s doubling up to 30s (or the server's
// Retry-After) in between, as Flux's notifiers do; the Provider's timeout
// bounds the whole.
const retries = 4

// RetryWaitMin is the first wait before a retry (Flux's 1s); tests shorten it.
var RetryWaitMin = time.Second

// newHTTPClient builds the client of one notification, with the Provider's
// TLS and proxy settings.
func newHTTPClient(o Options) *retryablehttp.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// A client lives for one notification, and so does its transport: a
	// connection kept open for reuse would only idle for 90s, and at
	// thousands of events a minute the process would run out of files.
	transport.DisableKeepAlives = true
	if o.TLS != nil {
		transport.TLSClientConfig = o.TLS
	}
	if o.Proxy != nil {
		transport.Proxy = http.ProxyURL(o.Proxy)
	}
	c := retryablehttp.NewClient()
	c.HTTPClient = &http.Client{Transport: transport, Timeout: o.Timeout}
	c.RetryMax = retries
	c.RetryWaitMin = RetryWaitMin
	c.Logger = nil
	// The last answer's status goes into the error, not "giving up after".
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return c
}

// request is one HTTP call of a notifier.
type request struct {
	method string
	url    string
	body   []byte
	header http.Header
	// absentOK: a 404 answer means "none yet" (nil body, no error), as
	// when a Git service is asked for a status it does not have.
	absentOK bool
}

// jsonRequest encodes payload as the body of a POST to url.
func jsonRequest(url string, payload any) (request, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return request{}, fmt.Errorf("encode notification: %w", err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return request{method: http.MethodPost, url: url, body: body, header: h}, nil
}

// do sends r with retries and returns the body of a 2xx answer; any other
// answer is an error quoting its status and (the start of) its body.
func do(ctx context.Context, o Options, r request) ([]byte, error) {
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		return nil, fmt.Errorf("build request to %s: %w", r.url, err)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	for k, v := range o.Headers {
		req.Header.Set(k, v)
	}
	target := req.URL.Redacted()
	if o.SecretAddress {
		target = "the address of spec.secretRef"
	}
	start := time.Now()
	resp, err := newHTTPClient(o).Do(req)
	if err != nil {
		// The transport's error quotes the URL: keep only its cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("send to %s (after %s): %w", target, time.Since(start).Round(time.Millisecond), err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if r.absentOK && resp.StatusCode == http.StatusNotFound {
		return nil, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s answered %d: %s", r.method, target, resp.StatusCode, firstLine(answer))
	}
	return answer, nil
}

// firstLine keeps an error answer short.
func firstLine(b []byte) string {
	s := string(bytes.TrimSpace(b))
	if i := bytes.IndexByte([]byte(s), '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
