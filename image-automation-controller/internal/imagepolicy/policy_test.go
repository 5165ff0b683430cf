package imagepolicy

import (
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
)

// TestPolicyFollowsNewTags: a policy picks the newest version in range,
// and a new scan finding a newer one moves it at once, with the pick
// before in observedPreviousRef and an event saying so.
func TestPolicyFollowsNewTags(t *testing.T) {
	g := NewWithT(t)
	ns, reg, repo := setup(t, "1.0.0", "1.1.0", "2.0.0", "latest")
	p := newPolicy(ns, semver("^1"))
	env.Create(t, p)
	waitLatest(t, p, "1.1.0")
	g.Expect(*p.Status.LatestRef).To(Equal(imagev1.ImageRef{Name: reg.Host + "/app", Tag: "1.1.0"}))
	g.Expect(p.Status.ObservedPreviousRef).To(BeNil())
	g.Expect(readyOf(p).Message).To(Equal("Latest image tag for '" + reg.Host + "/app' resolved to 1.1.0"))
	env.WaitForEvent(t, p, corev1.EventTypeNormal, meta.SucceededReason, "resolved to 1.1.0")

	reg.Push(t, "app", "1.2.0")
	rescan(t, repo)
	waitLatest(t, p, "1.2.0")
	g.Expect(p.Status.ObservedPreviousRef).To(Equal(&imagev1.ImageRef{Name: reg.Host + "/app", Tag: "1.1.0"}))
	g.Expect(readyOf(p).Message).To(Equal("Latest image tag for '" + reg.Host + "/app' updated from 1.1.0 to 1.2.0"))
	env.WaitForEvent(t, p, corev1.EventTypeNormal, meta.SucceededReason, "updated from 1.1.0 to 1.2.0")
}

// TestPolicyKinds: every kind of policy picks from the same repository's
// tags as Flux would.
func TestPolicyKinds(t *testing.T) {
	ns, _, _ := setup(t,
		"1.0.0", "1.10.0", "1.9.0", "2.0.0-rc.1",
		"main-a1b2c3-1700000100", "main-d4e5f6-1700000200", "feature-x-1800000000",
		"5", "10", "9",
		"RELEASE.2024-01-05", "RELEASE.2024-03-01")
	tests := []struct {
		name   string
		choice imagev1.ImagePolicyChoice
		filter *imagev1.TagFilter
		want   string
	}{
		{name: "semver", choice: semver(">=1.0.0"), want: "1.10.0"},
		{name: "semver with prereleases", choice: semver(">=1.0.0-0"), want: "2.0.0-rc.1"},
		{name: "numerical asc", choice: imagev1.ImagePolicyChoice{Numerical: &imagev1.NumericalPolicy{Order: "asc"}},
			filter: &imagev1.TagFilter{Pattern: `^\d+$`}, want: "10"},
		{name: "numerical desc", choice: imagev1.ImagePolicyChoice{Numerical: &imagev1.NumericalPolicy{Order: "desc"}},
			filter: &imagev1.TagFilter{Pattern: `^\d+$`}, want: "5"},
		{name: "numerical of an extracted timestamp", choice: imagev1.ImagePolicyChoice{Numerical: &imagev1.NumericalPolicy{Order: "asc"}},
			filter: &imagev1.TagFilter{Pattern: `^main-[a-f0-9]+-(?P<ts>\d+)$`, Extract: "$ts"}, want: "main-d4e5f6-1700000200"},
		{name: "alphabetical asc", choice: imagev1.ImagePolicyChoice{Alphabetical: &imagev1.AlphabeticalPolicy{Order: "asc"}},
			filter: &imagev1.TagFilter{Pattern: `^RELEASE\.`}, want: "RELEASE.2024-03-01"},
		{name: "alphabetical desc", choice: imagev1.ImagePolicyChoice{Alphabetical: &imagev1.AlphabeticalPolicy{Order: "desc"}},
			filter: &imagev1.TagFilter{Pattern: `^RELEASE\.`}, want: "RELEASE.2024-01-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(ns, tt.choice, func(p *imagev1.ImagePolicy) { p.Spec.FilterTags = tt.filter })
			env.Create(t, p)
			waitLatest(t, p, tt.want)
		})
	}
}
