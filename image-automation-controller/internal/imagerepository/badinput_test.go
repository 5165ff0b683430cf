package imagerepository

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/imagerepository/imagetest"
	"github.com/tidegitops/tide/image-automation-controller/internal/tagstore"
	"github.com/tidegitops/tide/testkit"
)

// TestBadInput: each fault a user can make ends in Ready=False with Flux's
// reason, a message saying what to do, and a warning event; no secret
// shows in them.
func TestBadInput(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	unreachable := strings.TrimPrefix(closed.URL, "http://")
	closed.Close()

	tests := []struct {
		name        string
		secret      map[string][]byte // the Secret "creds", when set
		mutate      func(*imagev1.ImageRepository, string)
		wantReason  string
		wantStalled bool
		wantMessage string
	}{
		{name: "wrong password", secret: imagetest.DockerConfig("HOST", imagetest.User, "not-the-password"),
			wantReason: imagev1.ReadOperationFailedReason, wantMessage: "the registry refused the credentials (HTTP 401): check the docker config Secret in spec.secretRef"},
		{name: "no credentials", mutate: func(o *imagev1.ImageRepository, _ string) { o.Spec.SecretRef = nil },
			wantReason: imagev1.ReadOperationFailedReason, wantMessage: "refused the credentials (HTTP 401)"},
		{name: "unknown image", mutate: func(o *imagev1.ImageRepository, host string) { o.Spec.Image = host + "/no/such/image" },
			wantReason: imagev1.ReadOperationFailedReason, wantMessage: "not found in the registry"},
		{name: "unreachable registry", mutate: func(o *imagev1.ImageRepository, _ string) { o.Spec.Image = unreachable + "/app" },
			wantReason: imagev1.ReadOperationFailedReason, wantMessage: "check spec.image and that the registry is reachable from the controller"},
		{name: "missing Secret", mutate: func(o *imagev1.ImageRepository, _ string) { o.Spec.SecretRef.Name = "nope" },
			wantReason: imagev1.AuthenticationFailedReason, wantStalled: true, wantMessage: "named in spec.secretRef does not exist: create it, or fix the name"},
		{name: "Secret without .dockerconfigjson", secret: map[string][]byte{"username": []byte("robot")},
			wantReason: imagev1.AuthenticationFailedReason, wantStalled: true, wantMessage: "has no .dockerconfigjson"},
		{name: "Secret with broken JSON", secret: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths": {"x": {"password": "not-the-password"`)},
			wantReason: imagev1.AuthenticationFailedReason, wantStalled: true, wantMessage: "docker config JSON cannot be read"},
		{name: "certSecretRef without certificates", mutate: func(o *imagev1.ImageRepository, _ string) {
			o.Spec.CertSecretRef = &meta.LocalObjectReference{Name: "creds"}
		}, wantReason: imagev1.AuthenticationFailedReason, wantStalled: true, wantMessage: "named in spec.certSecretRef cannot be used"},
		{name: "proxySecretRef without address", mutate: func(o *imagev1.ImageRepository, _ string) {
			o.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: "creds"}
		}, wantReason: imagev1.AuthenticationFailedReason, wantStalled: true, wantMessage: "spec.proxySecretRef cannot be used: it has no 'address'"},
		{name: "image with a tag", mutate: func(o *imagev1.ImageRepository, host string) { o.Spec.Image = host + "/app:v1" },
			wantReason: imagev1.ImageURLInvalidReason, wantStalled: true, wantMessage: "should not include a tag or digest: remove ':v1'"},
		{name: "image with a scheme", mutate: func(o *imagev1.ImageRepository, host string) { o.Spec.Image = "https://" + host + "/app" },
			wantReason: imagev1.ImageURLInvalidReason, wantStalled: true, wantMessage: "remove 'https://'"},
		{name: "invalid exclusion regex", mutate: func(o *imagev1.ImageRepository, _ string) { o.Spec.ExclusionList = []string{"^(v1"} },
			wantReason: imagev1.ReadOperationFailedReason, wantStalled: true, wantMessage: "spec.exclusionList: '^(v1' is not a regular expression"},
		{name: "cloud provider", mutate: func(o *imagev1.ImageRepository, _ string) { o.Spec.Provider = imagev1.AWSProvider },
			wantReason: InvalidProviderConfigurationReason, wantStalled: true, wantMessage: "provider 'aws' is not supported by Tide yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, env.CP.Client)
			reg := imagetest.NewRegistry(t)
			reg.Push(t, "app", "v1")
			secret := imagetest.DockerConfig(reg.Host, imagetest.User, imagetest.Password)
			if tt.secret != nil {
				secret = map[string][]byte{}
				for k, v := range tt.secret {
					secret[k] = []byte(strings.ReplaceAll(string(v), "HOST", reg.Host))
				}
			}
			env.CreateSecret(t, ns, "creds", secret)
			obj := newRepository(ns, reg, "app")
			if tt.mutate != nil {
				tt.mutate(obj, reg.Host)
			}
			env.Create(t, obj)

			testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, tt.wantReason)
			ready := readyOf(obj)
			g.Expect(ready.Message).To(ContainSubstring(tt.wantMessage))
			g.Expect(ready.Message).NotTo(ContainSubstring("not-the-password"))
			if tt.wantStalled {
				testkit.WaitForCondition(t, env.CP.Client, obj, meta.StalledCondition, metav1.ConditionTrue, tt.wantReason)
			}
			ev := env.WaitForEvent(t, obj, corev1.EventTypeWarning, tt.wantReason, tt.wantMessage)
			g.Expect(ev.Message).NotTo(ContainSubstring("not-the-password"))
			g.Expect(obj.Status.LastScanResult).To(BeNil())
		})
	}
}

// TestFailedScanKeepsLastTags: a scan that fails after a good one keeps
// the good one's tags and status, for the policies to choose from, and the
// fix of the Secret rescans at once.
func TestFailedScanKeepsLastTags(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1", "v2")
	obj := newRepository(ns, reg, "app")
	env.Create(t, obj)
	waitReady(t, obj)
	good := obj.Status.LastScanResult.DeepCopy()

	// The registry's password changes; the Secret still holds the old one.
	reg.SetPassword("rotated")
	env.RequestReconcile(t, obj)
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, imagev1.ReadOperationFailedReason)
	g.Expect(obj.Status.LastScanResult.Revision).To(Equal(good.Revision))
	g.Expect(env.Tags.Tags(tagstore.Key{Namespace: ns, Name: obj.Name})).To(ConsistOf("v1", "v2"))

	// Fixing the Secret is seen at once (Secrets are watched).
	secret := &corev1.Secret{}
	secret.Namespace, secret.Name = ns, "creds"
	env.Update(t, secret, func() { secret.Data = imagetest.DockerConfig(reg.Host, imagetest.User, "rotated") })
	waitReady(t, obj)
}

// TestRateLimited: a registry that answers 429 is waited out as its
// Retry-After says; one that keeps answering 429 fails the scan saying so.
func TestRateLimited(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1")
	reg.RetryAfter = "1"
	reg.Throttled.Store(2) // within the reconciler's 2 retries
	obj := newRepository(ns, reg, "app")
	env.Create(t, obj)
	waitReady(t, obj)
	g.Expect(obj.Status.LastScanResult.TagCount).To(Equal(1))

	reg.Throttled.Store(1000)
	env.RequestReconcile(t, obj)
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, imagev1.ReadOperationFailedReason)
	g.Expect(readyOf(obj).Message).To(ContainSubstring("rate limit was hit (HTTP 429)"))
	env.WaitForEvent(t, obj, corev1.EventTypeWarning, imagev1.ReadOperationFailedReason, "HTTP 429")
}

// TestServiceAccountPullSecrets: without spec.secretRef, the
// imagePullSecrets of spec.serviceAccountName reach the registry, as in
// Flux. A missing service account fails the scan, and is retried (not
// stalled: service accounts are not watched), so creating it is the fix.
func TestServiceAccountPullSecrets(t *testing.T) {
	g := NewWithT(t)
	ns, reg := setup(t)
	reg.Push(t, "app", "v1")
	obj := newRepository(ns, reg, "app", func(o *imagev1.ImageRepository) {
		o.Spec.SecretRef = nil
		o.Spec.ServiceAccountName = "puller"
	})
	env.Create(t, obj)
	testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, metav1.ConditionFalse, imagev1.AuthenticationFailedReason)
	g.Expect(readyOf(obj).Message).To(ContainSubstring("service account '" + ns + "/puller' named in spec.serviceAccountName does not exist"))
	g.Expect(conditions.IsStalled(obj)).To(BeFalse(), "a missing service account must not stall: nothing would retry it")
	env.WaitForEvent(t, obj, corev1.EventTypeWarning, imagev1.AuthenticationFailedReason, "spec.serviceAccountName does not exist")

	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "puller", Namespace: ns},
		ImagePullSecrets: []corev1.LocalObjectReference{{Name: "creds"}}}
	env.Create(t, sa)
	waitReady(t, obj)
	g.Expect(obj.Status.LastScanResult.TagCount).To(Equal(1))
}
