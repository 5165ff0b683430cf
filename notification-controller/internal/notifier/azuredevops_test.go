package notifier

import (
	"net/http"
	"testing"

	. "github.com/onsi/gomega"
)

func TestAzureDevOpsCommitStatus(t *testing.T) {
	g := NewWithT(t)
	a := newAPI(t)
	statuses := "/org/proj/_apis/git/repositories/app/commits/" + testSHA + "/statuses"
	o := Options{URL: a.URL + "/org/proj/_git/app", Token: "pat", CommitStatus: "kustomization/web/0c9c2e41"}

	a.answers[statuses] = `{"count":0,"value":[]}`
	post(t, "azuredevops", o, testEvent("info"))
	g.Expect(a.requests).To(HaveLen(2))
	for _, r := range a.requests {
		g.Expect(r.URL.Path).To(Equal(statuses))
		g.Expect(r.URL.Query().Get("api-version")).To(Equal("6.0"))
		g.Expect(r.Header.Get("Authorization")).To(Equal("Basic OnBhdA=="))
	}
	g.Expect(a.requests[0].Method).To(Equal(http.MethodGet))
	g.Expect(a.requests[1].Method).To(Equal(http.MethodPost))
	g.Expect(a.requests[1].Header.Get("Content-Type")).To(Equal("application/json"))
	g.Expect(a.bodies[1]).To(MatchJSON(`{"state":"succeeded","description":"reconciliation succeeded",
		"context":{"name":"kustomization/web/0c9c2e41","genre":"fluxcd:prod"}}`))

	// The latest status of this context already says so: nothing posted.
	a.answers[statuses] = `{"count":2,"value":[{"state":"succeeded","description":"reconciliation succeeded",
		"context":{"name":"kustomization/web/0c9c2e41","genre":"fluxcd:prod"}},{"state":"error","description":"x","context":{"name":"kustomization/web/0c9c2e41","genre":"fluxcd:prod"}}]}`
	post(t, "azuredevops", o, testEvent("info"))
	g.Expect(a.requests).To(HaveLen(3))
	post(t, "azuredevops", o, testEvent("error"))
	g.Expect(a.requests).To(HaveLen(5))
	g.Expect(a.bodies[4]).To(ContainSubstring(`"state":"error"`))

	_, err := New("azuredevops", Options{URL: a.URL + "/org/app", Token: "pat", CommitStatus: "x"})
	g.Expect(err).To(MatchError(ContainSubstring("invalid repository id")))
	_, err = New("azuredevops", Options{URL: o.URL, CommitStatus: "x"})
	g.Expect(err).To(MatchError(ContainSubstring("token cannot be empty")))
}
