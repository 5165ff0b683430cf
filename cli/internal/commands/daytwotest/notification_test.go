package daytwotest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/cli/internal/commands/delete"
	"github.com/tidegitops/tide/cli/internal/commands/export"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/commands/resume"
	"github.com/tidegitops/tide/cli/internal/commands/suspend"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
)

// What `flux create alert|alert-provider|receiver ... --export` prints for
// the same flags: Alert and Provider in v1beta3 (the version flux's CLI
// writes), Receiver in v1, keys sorted, empty fields left out.
const (
	fluxAlert = `---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Alert
metadata:
  name: flux-system
  namespace: NS
spec:
  eventSeverity: info
  eventSources:
  - kind: Kustomization
    name: flux-system
  - kind: GitRepository
    name: '*'
  - kind: HelmRelease
    name: podinfo
    namespace: apps
  providerRef:
    name: slack
`
	fluxProvider = `---
apiVersion: notification.toolkit.fluxcd.io/v1beta3
kind: Provider
metadata:
  name: slack
  namespace: NS
spec:
  address: https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK
  channel: general
  secretRef:
    name: webhook-url
  type: slack
  username: flux
`
	fluxReceiver = `---
apiVersion: notification.toolkit.fluxcd.io/v1
kind: Receiver
metadata:
  name: github-receiver
  namespace: NS
spec:
  events:
  - ping
  - push
  resources:
  - kind: GitRepository
    name: webapp
  - kind: HelmRepository
    name: webapp
  secretRef:
    name: webhook-token
  type: github
`
)

// notificationClient reads and writes the notification kinds (testkit's
// client does not know them).
func notificationClient(t *testing.T) client.Client {
	t.Helper()
	c, err := client.New(cp.Config, client.Options{Scheme: kube.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCreateNotificationExportAsFlux(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"alert", []string{"alert", "flux-system", "--provider-ref=slack", "--event-severity=info",
			"--event-source=Kustomization/flux-system,GitRepository/*", "--event-source=HelmRelease/podinfo.apps"}, fluxAlert},
		{"alert-provider", []string{"alert-provider", "slack", "--type=slack", "--channel=general", "--username=flux",
			"--address=https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK", "--secret-ref=webhook-url"}, fluxProvider},
		{"receiver", []string{"receiver", "github-receiver", "--type=github", "--event=ping", "--event=push", "--secret-ref=webhook-token",
			"--resource=GitRepository/webapp", "--resource=HelmRepository/webapp"}, fluxReceiver},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			r := run(t, create.New, ns, "", append(tt.args, "--export")...)
			g.Expect(r.err).NotTo(HaveOccurred())
			g.Expect(r.stdout).To(Equal(strings.ReplaceAll(tt.want, "NS", ns)))
		})
	}
	c := notificationClient(t)
	for _, obj := range []client.Object{&notificationv1beta3.Alert{}, &notificationv1beta3.Provider{}, &notificationv1.Receiver{}} {
		err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "slack"}, obj)
		NewWithT(t).Expect(apierrors.IsNotFound(err)).To(BeTrue(), "--export must not create %T", obj)
	}
}

func TestCreateNotificationInvalid(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"alert without provider", []string{"alert", "a", "--event-source=Kustomization/x"}, "--provider-ref is required"},
		{"alert without source", []string{"alert", "a", "--provider-ref=p"}, "--event-source is required"},
		{"alert bad source", []string{"alert", "a", "--provider-ref=p", "--event-source=flux-system"}, `--event-source "flux-system": use Kind/name`},
		{"alert bad severity", []string{"alert", "a", "--provider-ref=p", "--event-source=Kustomization/x", "--event-severity=warning"}, `--event-severity "warning" is unknown`},
		{"provider without type", []string{"alert-provider", "p"}, "--type is required"},
		{"receiver without type", []string{"receiver", "r", "--secret-ref=s", "--resource=GitRepository/x"}, "--type is required"},
		{"receiver without secret", []string{"receiver", "r", "--type=generic", "--resource=GitRepository/x"}, "--secret-ref is required"},
		{"receiver without resource", []string{"receiver", "r", "--type=generic", "--secret-ref=s"}, "--resource is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, create.New, ns, "", append(tt.args, "--export")...)
			NewWithT(t).Expect(r.err).To(MatchError(ContainSubstring(tt.wantErr)))
		})
	}
}

// Alert and Provider have no status, as in Flux: create applies them and
// returns without waiting for a controller; get shows them ready.
func TestCreateAlertAndProviderDoNotWait(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	c := notificationClient(t)

	r := run(t, create.New, ns, "", "alert-provider", "hook", "--type=generic", "--address=http://hook.example.com/", "--timeout=5s")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("Provider is static (no status"))
	p := &notificationv1beta3.Provider{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "hook"}, p)).To(Succeed())
	g.Expect(p.Spec.Type).To(Equal("generic"))
	g.Expect(p.Spec.Address).To(Equal("http://hook.example.com/"))

	r = run(t, create.New, ns, "", "alert", "all", "--provider-ref=hook", "--event-source=Kustomization/*", "--event-severity=error", "--timeout=5s")
	g.Expect(r.err).NotTo(HaveOccurred())
	a := &notificationv1beta3.Alert{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "all"}, a)).To(Succeed())
	g.Expect(a.Spec.ProviderRef.Name).To(Equal("hook"))
	g.Expect(a.Spec.EventSeverity).To(Equal("error"))
	g.Expect(a.Spec.EventSources).To(Equal([]notificationv1.CrossNamespaceObjectReference{{Kind: "Kustomization", Name: "*"}}))

	r = run(t, get.New, ns, "", "alerts")
	g.Expect(r.err).NotTo(HaveOccurred())
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	g.Expect(lines).To(HaveLen(2))
	g.Expect(strings.Fields(lines[1])).To(Equal([]string{"all", "false", "True", "Alert", "is", "Ready"}))

	r = run(t, get.New, ns, "", "alert-providers")
	g.Expect(r.err).NotTo(HaveOccurred())
	lines = strings.Split(strings.TrimSpace(r.stdout), "\n")
	g.Expect(lines).To(HaveLen(2))
	g.Expect(strings.Fields(lines[1])).To(Equal([]string{"hook", "false", "True", "Provider", "is", "Ready"}))
}

// receiverController stands in for the notification-controller: it
// publishes the webhook path and handles reconcile requests.
func receiverController(t *testing.T, c client.Client, key client.ObjectKey, path string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
			rcv := &notificationv1.Receiver{}
			if err := c.Get(ctx, key, rcv); err != nil {
				continue
			}
			token := rcv.GetAnnotations()[meta.ReconcileRequestAnnotation]
			if rcv.Status.LastHandledReconcileAt == token && rcv.Status.ObservedGeneration == rcv.Generation {
				continue
			}
			rcv.Status.LastHandledReconcileAt = token
			rcv.Status.ObservedGeneration = rcv.Generation
			rcv.Status.WebhookPath = path
			rcv.Status.Conditions = []metav1.Condition{{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Reason: meta.SucceededReason,
				Message: "Receiver initialized for path: " + path, ObservedGeneration: rcv.Generation, LastTransitionTime: metav1.Now()}}
			_ = c.Status().Update(ctx, rcv)
		}
	}()
}

// Every day-2 verb works on the notification kinds, from the kinds table.
func TestDayTwoOnNotificationKinds(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	c := notificationClient(t)
	const path = "/hook/0123456789abcdef"

	receiverController(t, c, client.ObjectKey{Namespace: ns, Name: "fleet"}, path)
	r := run(t, create.New, ns, "", "receiver", "fleet", "--type=generic", "--secret-ref=token", "--resource=GitRepository/flux-system")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(HaveSuffix("✔ generated webhook path " + path + "\n"))

	r = run(t, get.New, ns, "", "receivers")
	g.Expect(r.err).NotTo(HaveOccurred())
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	g.Expect(lines).To(HaveLen(2))
	g.Expect(strings.Fields(lines[1])[:4]).To(Equal([]string{"fleet", path, "false", "True"}))

	r = run(t, reconcile.New, ns, "", "receiver", "fleet")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("✔ Receiver reconciliation completed\n"))

	r = run(t, suspend.New, ns, "", "receiver", "fleet")
	g.Expect(r.err).NotTo(HaveOccurred())
	rcv := &notificationv1.Receiver{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "fleet"}, rcv)).To(Succeed())
	g.Expect(rcv.Spec.Suspend).To(BeTrue())
	r = run(t, resume.New, ns, "", "receiver", "fleet")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "fleet"}, rcv)).To(Succeed())
	g.Expect(rcv.Spec.Suspend).To(BeFalse())

	// Alert and Provider: suspend and resume set spec.suspend, resume and
	// reconcile do not wait for a status they never get.
	r = run(t, create.New, ns, "", "alert-provider", "hook", "--type=generic", "--address=http://hook.example.com/")
	g.Expect(r.err).NotTo(HaveOccurred())
	r = run(t, create.New, ns, "", "alert", "all", "--provider-ref=hook", "--event-source=Kustomization/*")
	g.Expect(r.err).NotTo(HaveOccurred())
	for _, tt := range []struct {
		word string
		obj  client.Object
	}{{"alert", &notificationv1beta3.Alert{}}, {"alert-provider", &notificationv1beta3.Provider{}}} {
		name := map[string]string{"alert": "all", "alert-provider": "hook"}[tt.word]
		key := client.ObjectKey{Namespace: ns, Name: name}
		r = run(t, suspend.New, ns, "", tt.word, name)
		g.Expect(r.err).NotTo(HaveOccurred())
		r = run(t, get.New, ns, "", tt.word+"s")
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(strings.Fields(strings.Split(strings.TrimSpace(r.stdout), "\n")[1])[:2]).To(Equal([]string{name, "true"}))
		r = run(t, resume.New, ns, "", tt.word, name, "--timeout=5s")
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(c.Get(ctx, key, tt.obj)).To(Succeed())
		g.Expect(suspendedSpec(tt.obj)).To(BeFalse())
		r = run(t, reconcile.New, ns, "", tt.word, name, "--timeout=5s")
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(r.stderr).To(ContainSubstring("reconciliation not supported by the object"))

		r = run(t, export.New, ns, "", tt.word, name)
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(r.stdout).To(HavePrefix("---\napiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: "))
		g.Expect(r.stdout).NotTo(ContainSubstring("suspend"))
	}

	r = run(t, export.New, ns, "", "receiver", "fleet")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(HavePrefix("---\napiVersion: notification.toolkit.fluxcd.io/v1\nkind: Receiver\nmetadata:\n  name: fleet\n  namespace: " + ns + "\nspec:\n"))
	g.Expect(r.stdout).NotTo(ContainSubstring("status"))

	for word, obj := range map[string]client.Object{
		"alert": &notificationv1beta3.Alert{}, "alert-provider": &notificationv1beta3.Provider{}, "receiver": &notificationv1.Receiver{},
	} {
		name := map[string]string{"alert": "all", "alert-provider": "hook", "receiver": "fleet"}[word]
		r = run(t, delete.New, ns, "", word, name, "--silent")
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(r.stderr).To(ContainSubstring("✔ " + word + " deleted"))
		g.Expect(apierrors.IsNotFound(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj))).To(BeTrue())
	}
}

func suspendedSpec(obj client.Object) bool {
	switch o := obj.(type) {
	case *notificationv1beta3.Alert:
		return o.Spec.Suspend
	case *notificationv1beta3.Provider:
		return o.Spec.Suspend
	}
	return false
}
