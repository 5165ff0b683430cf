package e2e

import (
	"net/http"
	"testing"
	"time"

	. "github.com/onsi/gomega"
)

// The three controllers as processes: a push calls a generic Receiver,
// the commit is applied at once (the GitRepository's interval is an hour),
// and an Alert's generic endpoint gets the Kustomization's change set with
// the revision (its success event carries commit_status: update, for the
// Git providers only, as Flux's).
func TestPushToReceiverToAlert(t *testing.T) {
	g := NewWithT(t)
	p := startReceiverPipeline(t)

	p.repo.Write("apps/web.yaml", configMapYAML("web", "v2"))
	commit := p.repo.Commit("second")
	start := time.Now()
	g.Eventually(p.callReceiver, time.Minute).Should(Equal(http.StatusOK))
	g.Eventually(p.value, time.Minute).Should(Equal("v2"))
	t.Logf("push to applied through the Receiver: %s", time.Since(start).Round(time.Millisecond))

	g.Eventually(p.alerts, time.Minute).Should(ContainElement(And(HavePrefix("Progressing"), ContainSubstring(commit))))
}
