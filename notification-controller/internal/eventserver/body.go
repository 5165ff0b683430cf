package eventserver

import (
	"io"
	"net/http"
)

// readBody reads at most maxBodyBytes; the status is 0, or Flux's answer to
// a body too large (413) or unreadable (400).
func readBody(r *http.Request) ([]byte, int) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, http.StatusBadRequest
	}
	if len(body) > maxBodyBytes {
		return nil, http.StatusRequestEntityTooLarge
	}
	return body, 0
}
