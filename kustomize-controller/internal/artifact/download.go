package artifact

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

// download fetches the artifact into a temporary file in dir, hashing it on
// the way, and returns the file's path once the content matches the digest.
// On error nothing is left behind.
func download(ctx context.Context, client *http.Client, rawURL string, want digest, dir string, maxSize int64) (path string, err error) {
	shownURL := redactURL(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", newError(ErrDownload, "invalid artifact URL %s: the source status is wrong; it is retried", shownURL)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", unreachableError(shownURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", wrapError(ErrDownload, httpStatusError(resp.StatusCode),
			"downloading artifact from %s: HTTP status %s; the source-controller may be unreachable or the artifact already garbage-collected, it is retried",
			shownURL, resp.Status)
	}
	if resp.ContentLength > maxSize {
		return "", tooLargeDownload(shownURL, maxSize)
	}

	f, err := os.CreateTemp(dir, tmpPrefix+"download-")
	if err != nil {
		return "", fmt.Errorf("creating a file for the artifact: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	h := want.newHash()
	// Read one byte past the limit to tell "exactly the limit" from "over".
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return "", unreachableError(shownURL, err)
	}
	if n > maxSize {
		return "", tooLargeDownload(shownURL, maxSize)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing the artifact: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.hex {
		return "", newError(ErrDigestMismatch,
			"artifact digest mismatch: expected %s, got %s:%s from %s; the source may have changed during download, it is retried",
			want, want.algo, got, shownURL)
	}
	return f.Name(), nil
}

// unreachableError reports a connection or read failure. The client's
// *url.Error is unwrapped because its text holds the full URL, query and
// user name included.
func unreachableError(shownURL string, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	return wrapError(ErrDownload, err,
		"downloading artifact from %s: %v; the source-controller may be unreachable, it is retried", shownURL, err)
}

func tooLargeDownload(shownURL string, maxSize int64) error {
	return newError(ErrTooLarge,
		"artifact at %s is larger than %d bytes: make the source smaller or raise %s", shownURL, maxSize, maxSizeFlag)
}
