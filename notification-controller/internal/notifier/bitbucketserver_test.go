package notifier

import (
	"testing"

	. "github.com/onsi/gomega"
)

func TestBitbucketServerBuildStatus(t *testing.T) {
	g := NewWithT(t)
	s := newStatusServer(t)
	key := statusKey("kustomization/web/0c9c2e41")
	address := s.URL + "/bitbucket/scm/PROJ/app.git"
	o := Options{URL: address, Token: "bbs-token", CommitStatus: "kustomization/web/0c9c2e41"}

	post(t, "bitbucketserver", o, testEvent("info"))
	builds := "/bitbucket/rest/api/latest/projects/PROJ/repos/app/commits/" + testSHA + "/builds"
	g.Expect(s.requests).To(Equal([]string{"GET " + builds + "?key=" + key, "POST " + builds}))
	for _, h := range s.headers {
		g.Expect(h.Get("Authorization")).To(Equal("Bearer bbs-token"))
		g.Expect(h.Get("X-Atlassian-Token")).To(Equal("no-check"))
		g.Expect(h.Get("X-Requested-With")).To(Equal("XMLHttpRequest"))
	}
	g.Expect(s.headers[1].Get("Content-Type")).To(Equal("application/json"))
	g.Expect(s.bodies[1]).To(MatchJSON(`{"key":"` + key + `","state":"SUCCESSFUL","url":"` + address + `",
		"description":"reconciliation succeeded","name":"kustomization/web [reconciliation succeeded]"}`))

	// An equal status is not posted again.
	post(t, "bitbucketserver", o, testEvent("info"))
	g.Expect(s.requests).To(HaveLen(3))

	// Basic auth without a token.
	post(t, "bitbucketserver", Options{URL: address, Username: "u", Password: "p", CommitStatus: "x"}, testEvent("error"))
	g.Expect(s.headers[3].Get("Authorization")).To(Equal("Basic dTpw"))

	_, err := New("bitbucketserver", Options{URL: s.URL + "/PROJ/app.git", Token: "t", CommitStatus: "x"})
	g.Expect(err).To(MatchError(ContainSubstring("not http(s) git clone url")))
	_, err = New("bitbucketserver", Options{URL: address, CommitStatus: "x"})
	g.Expect(err).To(MatchError(ContainSubstring("invalid credentials")))
}
