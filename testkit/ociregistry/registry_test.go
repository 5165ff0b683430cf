package ociregistry

import (
	"net/http"
	"strings"
	"testing"
)

func TestBasicAuthAndRequestLog(t *testing.T) {
	reg := New(t, Options{Username: "u", Password: "p"})
	get := func(path, user, pass string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, reg.URL+path, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := get("/v2/", "", ""); resp.StatusCode != http.StatusUnauthorized ||
		!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("anonymous ping: %d %q, want 401 with a Basic challenge", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if resp := get("/v2/", "u", "wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", resp.StatusCode)
	}
	if resp := get("/v2/", "u", "p"); resp.StatusCode != http.StatusOK {
		t.Errorf("right password: %d, want 200", resp.StatusCode)
	}
	get("/v2/a/b/manifests/v1", "u", "p")
	get("/v2/a/b/blobs/sha256:0000", "u", "p")
	get("/v2/a/b/tags/list", "u", "p")

	if n := reg.Count(http.MethodGet, KindPing); n != 3 {
		t.Errorf("%d pings logged, want 3", n)
	}
	for _, k := range []Kind{KindManifest, KindBlob, KindTags} {
		if n := reg.Count("", k); n != 1 {
			t.Errorf("%d %s requests logged, want 1", n, k)
		}
	}
	if got := reg.Requests()[0].Status; got != http.StatusUnauthorized {
		t.Errorf("first request logged with status %d, want 401", got)
	}
	reg.Reset()
	if len(reg.Requests()) != 0 {
		t.Error("Reset kept requests")
	}
}
