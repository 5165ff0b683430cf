package notifier

import (
	"crypto/sha1"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	. "github.com/onsi/gomega"
)

// statusServer answers GETs with 404 until a status is set, then with the
// last status posted, and records every request.
type statusServer struct {
	*httptest.Server
	requests []string // "METHOD path?query"
	headers  []http.Header
	bodies   []string
	status   string
}

func newStatusServer(t *testing.T) *statusServer {
	s := &statusServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, r.ContentLength)
		_, _ = r.Body.Read(b)
		s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
		s.headers = append(s.headers, r.Header.Clone())
		s.bodies = append(s.bodies, string(b))
		switch {
		case r.Method == http.MethodGet && s.status == "":
			http.NotFound(w, r)
		case r.Method == http.MethodGet:
			_, _ = w.Write([]byte(s.status))
		default:
			s.status = string(b)
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(b)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

const testSHA = "0123456789abcdef0123456789abcdef01234567"

func TestBitbucketCommitStatus(t *testing.T) {
	g := NewWithT(t)
	s := newStatusServer(t)
	old := BitbucketAPI
	BitbucketAPI = s.URL + "/2.0"
	t.Cleanup(func() { BitbucketAPI = old })
	key := fmt.Sprintf("%x", sha1.Sum([]byte("kustomization/web/0c9c2e41")))
	o := Options{URL: "https://bitbucket.org/org/app.git", Token: "me:app-pass", CommitStatus: "kustomization/web/0c9c2e41"}

	post(t, "bitbucket", o, testEvent("info"))
	g.Expect(s.requests).To(Equal([]string{
		"GET /2.0/repositories/org/app/commit/" + testSHA + "/statuses/build/" + key,
		"POST /2.0/repositories/org/app/commit/" + testSHA + "/statuses/build",
	}))
	g.Expect(s.headers[1].Get("Authorization")).To(Equal("Basic bWU6YXBwLXBhc3M="))
	g.Expect(s.headers[1].Get("Content-Type")).To(Equal("application/json"))
	g.Expect(s.bodies[1]).To(MatchJSON(`{"key":"` + key + `","state":"SUCCESSFUL","name":"kustomization/web",
		"description":"reconciliation succeeded","url":"https://bitbucket.org"}`))

	// The same status again is not posted; a failure is.
	post(t, "bitbucket", o, testEvent("info"))
	g.Expect(s.requests).To(HaveLen(3))
	post(t, "bitbucket", o, testEvent("error"))
	g.Expect(s.requests).To(HaveLen(5))
	g.Expect(s.bodies[4]).To(ContainSubstring(`"state":"FAILED"`))

	o.Token = "no-colon"
	_, err := New("bitbucket", o)
	g.Expect(err).To(MatchError(ContainSubstring("<user>:<password>")))
	g.Expect(err.Error()).NotTo(ContainSubstring("no-colon"))
}
