package imagepolicy

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// TestBadPolicy: a policy a user got wrong ends in Ready=False with
// Flux's reason, a message saying what to do, and a warning event.
func TestBadPolicy(t *testing.T) {
	ns, _, _ := setup(t, "1.0.0", "v2-build.7")
	tests := []struct {
		name        string
		policy      *imagev1.ImagePolicy
		wantReason  string
		wantStalled bool
		wantMessage string
	}{
		{name: "semver range does not parse", policy: newPolicy(ns, semver("one point oh")),
			wantReason: InvalidPolicyReason, wantStalled: true, wantMessage: "spec.policy.semver.range 'one point oh' is not a semver range"},
		{name: "filter pattern does not compile", policy: newPolicy(ns, semver("*"), func(p *imagev1.ImagePolicy) {
			p.Spec.FilterTags = &imagev1.TagFilter{Pattern: "^v(\\d+"}
		}), wantReason: InvalidPolicyReason, wantStalled: true, wantMessage: "spec.filterTags.pattern '^v(\\d+' is not a regular expression"},
		{name: "extract names no group", policy: newPolicy(ns, semver("*"), func(p *imagev1.ImagePolicy) {
			p.Spec.FilterTags = &imagev1.TagFilter{Pattern: `^v(?P<major>\d+)`, Extract: "$version"}
		}), wantReason: InvalidPolicyReason, wantStalled: true, wantMessage: "names group 'version', which spec.filterTags.pattern"},
		{name: "no tag matches", policy: newPolicy(ns, semver("^9")),
			wantReason: metav1.StatusFailure, wantStalled: true, wantMessage: "no tag is a version in the range '^9'"},
		{name: "numerical over non-numbers", policy: newPolicy(ns, imagev1.ImagePolicyChoice{Numerical: &imagev1.NumericalPolicy{}}),
			wantReason: metav1.StatusFailure, wantStalled: true, wantMessage: "set spec.filterTags to keep (or extract) numeric tags only"},
		{name: "repository missing", policy: newPolicy(ns, semver("*"), func(p *imagev1.ImagePolicy) {
			p.Spec.ImageRepositoryRef.Name = "nope"
		}), wantReason: imagev1.DependencyNotReadyReason, wantMessage: "referenced ImageRepository '" + ns + "/nope' does not exist: create it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			env.Create(t, tt.policy)
			testkit.WaitForCondition(t, env.CP.Client, tt.policy, meta.ReadyCondition, metav1.ConditionFalse, tt.wantReason)
			g.Expect(readyOf(tt.policy).Message).To(ContainSubstring(tt.wantMessage))
			if tt.wantStalled {
				testkit.WaitForCondition(t, env.CP.Client, tt.policy, meta.StalledCondition, metav1.ConditionTrue, tt.wantReason)
			}
			env.WaitForEvent(t, tt.policy, corev1.EventTypeWarning, tt.wantReason, tt.wantMessage)
			g.Expect(tt.policy.Status.LatestRef).To(BeNil())
		})
	}
}

// TestNoMatchKeepsLatestRef: a policy changed so that no tag matches keeps
// the tag it picked last, so automations keep writing it.
func TestNoMatchKeepsLatestRef(t *testing.T) {
	g := NewWithT(t)
	ns, reg, _ := setup(t, "1.0.0", "1.1.0")
	p := newPolicy(ns, semver("^1"))
	env.Create(t, p)
	waitLatest(t, p, "1.1.0")

	env.Update(t, p, func() { p.Spec.Policy = semver("^5") })
	testkit.WaitForCondition(t, env.CP.Client, p, meta.ReadyCondition, metav1.ConditionFalse, metav1.StatusFailure)
	g.Expect(p.Status.LatestRef).To(Equal(&imagev1.ImageRef{Name: reg.Host + "/app", Tag: "1.1.0"}))
	g.Expect(readyOf(p).Message).To(ContainSubstring("push one, or widen spec.policy.semver.range"))

	// A tag in the new range, once scanned, is picked at once.
	reg.Push(t, "app", "5.0.1")
	rescan(t, &imagev1.ImageRepository{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns}})
	waitLatest(t, p, "5.0.1")
}

// TestCrossNamespace: a policy may use an ImageRepository of another
// namespace only when the repository's accessFrom admits the policy's
// namespace, as in Flux.
func TestCrossNamespace(t *testing.T) {
	g := NewWithT(t)
	repoNS, _, repo := setup(t, "1.0.0")
	policyNS := testkit.NewNamespace(t, env.CP.Client)
	p := newPolicy(policyNS, semver("*"), func(p *imagev1.ImagePolicy) { p.Spec.ImageRepositoryRef.Namespace = repoNS })
	env.Create(t, p)
	testkit.WaitForCondition(t, env.CP.Client, p, meta.ReadyCondition, metav1.ConditionFalse, AccessDeniedReason)
	g.Expect(readyOf(p).Message).To(ContainSubstring("has no spec.accessFrom"))
	env.WaitForEvent(t, p, corev1.EventTypeWarning, AccessDeniedReason, "access denied")

	// Admitted by label: the repository's new generation re-runs the policy.
	env.Update(t, repo, func() {
		repo.Spec.AccessFrom = &sourcev1.AccessFrom{NamespaceSelectors: []sourcev1.NamespaceSelector{{MatchLabels: map[string]string{"team": "apps"}}}}
	})
	g.Eventually(func() string {
		_ = env.CP.Client.Get(context.Background(), client.ObjectKeyFromObject(p), p)
		return readyOf(p).Reason + ": " + readyOf(p).Message
	}, testkit.Timeout).Should(ContainSubstring(AccessDeniedReason + ": access denied: the labels of namespace '" + policyNS + "' match none of the spec.accessFrom.namespaceSelectors"))

	ns := &corev1.Namespace{}
	ns.Name = policyNS
	env.Update(t, ns, func() { ns.Labels = map[string]string{"team": "apps"} })
	waitLatest(t, p, "1.0.0")
}
