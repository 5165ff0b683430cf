package gitrepository

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// A secret value never reaches what users and log collectors see: the
// conditions and the rest of the status, the Kubernetes events, and the
// controller's logs, whether it comes from a Secret or from the URL.
func TestReconcileSecretsNeverLeak(t *testing.T) {
	const secret = "SuperSecret-Value-123"
	srv := testkit.StartGitServer(t, testkit.WithBasicAuth("git", "right-pa55"), testkit.WithBearerToken("right-t0ken"))
	srv.NewRepo(t, "private").Write("a.yaml", "a: 1\n").Commit("first")
	proxyAddr, _ := testkit.StartProxy(t, "proxyuser", "right-proxy-pass")
	ns := testkit.NewNamespace(t, env.CP.Client)
	unreachable := strings.TrimSuffix(strings.TrimPrefix(testkit.UnreachableURL(t), "http://"), "/nothing.git")
	withUserinfo := func(u string) string { return strings.Replace(u, "://", "://user:"+secret+"@", 1) }

	stopCapture := captureStderr(t)
	tests := []struct {
		name       string
		url        string
		secret     map[string][]byte
		proxy      map[string][]byte
		wantReason string
	}{
		{"wrong password in the secret", srv.HTTPURL("private"),
			map[string][]byte{"username": []byte("git"), "password": []byte(secret)}, nil, sourcev1.AuthenticationFailedReason},
		{"wrong bearer token in the secret", srv.HTTPURL("private"),
			map[string][]byte{"bearerToken": []byte(secret)}, nil, sourcev1.AuthenticationFailedReason},
		{"wrong password in the URL", withUserinfo(srv.HTTPURL("private")), nil, nil, sourcev1.AuthenticationFailedReason},
		{"unreachable URL with credentials", withUserinfo("http://" + unreachable + "/x.git"), nil, nil, sourcev1.GitOperationFailedReason},
		{"unreachable URL with a password in the secret", "http://" + unreachable + "/x.git",
			map[string][]byte{"username": []byte("git"), "password": []byte(secret)}, nil, sourcev1.GitOperationFailedReason},
		{"wrong proxy password", srv.HTTPURL("private"),
			map[string][]byte{"username": []byte("git"), "password": []byte("right-pa55")},
			map[string][]byte{"address": []byte(proxyAddr), "username": []byte("proxyuser"), "password": []byte(secret)},
			sourcev1.AuthenticationFailedReason},
	}
	objs := make([]*sourcev1.GitRepository, len(tests))
	for i, tt := range tests {
		obj := newGitRepository(ns, tt.url, func(o *sourcev1.GitRepository) {
			if tt.secret != nil {
				name := fmt.Sprintf("creds-%d", i)
				createSecret(t, ns, name, tt.secret)
				o.Spec.SecretRef = &meta.LocalObjectReference{Name: name}
			}
			if tt.proxy != nil {
				name := fmt.Sprintf("proxy-%d", i)
				createSecret(t, ns, name, tt.proxy)
				o.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: name}
			}
		})
		create(t, obj)
		objs[i] = obj
	}
	for i, tt := range tests {
		obj := objs[i]
		ready := waitNotReady(t, obj, tt.wantReason)
		t.Logf("%s: Ready=False %s: %s", tt.name, ready.Reason, ready.Message)
		// The failure's event is recorded asynchronously: wait for it, so
		// that the check below sees it.
		NewWithT(t).Eventually(func() []string { return eventReasons(t, obj) }, testkit.Timeout).
			Should(ContainElement(tt.wantReason), "no %s event for %s", tt.wantReason, tt.name)
	}
	logs := ""
	if stopCapture != nil {
		logs = stopCapture()
	}

	for i, tt := range tests {
		obj := objs[i]
		if err := env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatal(err)
		}
		for _, c := range obj.Status.Conditions {
			if strings.Contains(c.Message, secret) || strings.Contains(c.Reason, secret) {
				t.Errorf("%s: condition %s leaks the secret: %s: %q", tt.name, c.Type, c.Reason, c.Message)
			}
		}
		status, err := json.Marshal(obj.Status)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(status), secret) {
			t.Errorf("%s: status leaks the secret: %s", tt.name, status)
		}
	}

	var events corev1.EventList
	if err := env.CP.Client.List(context.Background(), &events, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(events.Items) < len(tests) {
		t.Fatalf("%d events in the namespace, want at least one per object", len(events.Items))
	}
	for _, e := range events.Items {
		raw, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(e.Message, secret) || strings.Contains(e.Reason, secret) || strings.Contains(string(raw), secret) {
			t.Errorf("event %s for %s leaks the secret: %s: %q", e.Name, e.InvolvedObject.Name, e.Reason, e.Message)
		}
	}

	if stopCapture == nil {
		t.Log("controller logs not checked: stderr cannot be captured on this platform")
		return
	}
	// The capture must have seen the controller's logs of these objects, or
	// the check below proves nothing.
	if !strings.Contains(logs, ns) {
		t.Fatalf("captured controller logs hold nothing about namespace %s (%d bytes captured)", ns, len(logs))
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, secret) {
			t.Errorf("controller log line leaks the secret: %s", line)
		}
	}
}
