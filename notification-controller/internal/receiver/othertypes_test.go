package receiver

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"testing"

	. "github.com/onsi/gomega"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

// The other senders' calls are checked as Flux checks them: a call that
// fails the check is refused with 400 and requests nothing; the sender's
// real call is answered 200 and requests a reconcile of the resources.
func TestOtherReceiverTypes(t *testing.T) {
	nexusSign := func(body []byte) string {
		mac := hmac.New(sha1.New, []byte(token))
		mac.Write(body)
		return hex.EncodeToString(mac.Sum(nil))
	}
	push := []byte(`{"push_data":{"tag":"1.2.0"},"repository":{"repo_name":"org/app"}}`)
	cdevent := []byte(`{"context":{"id":"1","type":"dev.cdevents.artifact.published.0.1.1"},"subject":{"id":"pkg:oci/app"}}`)
	for _, tc := range []struct {
		typ      string
		events   []string
		bad      []byte
		badHead  map[string]string
		good     []byte
		goodHead map[string]string
	}{
		{typ: "bitbucket", events: []string{"repo:refs_changed"},
			bad: push, badHead: map[string]string{"X-Hub-Signature": sign(push), "X-Event-Key": "pr:opened"},
			good: push, goodHead: map[string]string{"X-Hub-Signature": sign(push), "X-Event-Key": "repo:refs_changed"}},
		{typ: "harbor",
			bad: push, badHead: map[string]string{"Authorization": "wrong"},
			good: push, goodHead: map[string]string{"Authorization": token}},
		{typ: "nexus",
			bad: push, badHead: map[string]string{"X-Nexus-Webhook-Signature": nexusSign([]byte("other"))},
			good: push, goodHead: map[string]string{"X-Nexus-Webhook-Signature": nexusSign(push)}},
		{typ: "quay", bad: []byte(`not json`), good: push},
		{typ: "dockerhub", bad: []byte(`not json`), good: push},
		{typ: "acr", bad: []byte(`not json`), good: push},
		{typ: "cdevents", events: []string{"dev.cdevents.artifact.published.0.1.1"},
			bad: []byte(`{"context":{}}`), badHead: map[string]string{"Ce-Type": "dev.cdevents.artifact.published.0.1.1"},
			good: cdevent, goodHead: map[string]string{"Ce-Type": "dev.cdevents.artifact.published.0.1.1"}},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			g := NewWithT(t)
			rcv := setup(t, func(r *notificationv1.Receiver) {
				r.Spec.Type = tc.typ
				r.Spec.Events = tc.events
			}, map[string]map[string]string{"app": nil})
			g.Expect(hit(t, rcv.Status.WebhookPath, tc.bad, tc.badHead)).To(Equal(http.StatusBadRequest))
			g.Expect(requestedAt(t, rcv.Namespace, "app")).To(BeEmpty(), "nothing changed")
			g.Expect(hit(t, rcv.Status.WebhookPath, tc.good, tc.goodHead)).To(Equal(http.StatusOK))
			g.Expect(requestedAt(t, rcv.Namespace, "app")).NotTo(BeEmpty())
		})
	}
}
