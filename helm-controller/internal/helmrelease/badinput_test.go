package helmrelease

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// Every failure a user can cause, after a good release: Ready=False with
// the reason and a message saying what is wrong, a warning event, and the
// good release left running.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		// breakIt changes the chart source or the HelmRelease.
		breakIt    func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease)
		wantReason string
		wantMsg    []string
	}{
		{
			name: "chart source missing",
			breakIt: func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease) {
				update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.ChartRef.Name = "missing" })
			},
			wantReason: helmv2.ArtifactFailedReason,
			wantMsg:    []string{"HelmChart '", "/missing' not found: create it or fix the chart reference"},
		},
		{
			name: "chart source not ready",
			breakIt: func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease) {
				other := &sourcev1.HelmChart{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "notready"}, Spec: hc.Spec}
				create(t, other)
				NewWithT(t).Eventually(func() error {
					if err := env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(other), other); err != nil {
						return err
					}
					conditions.MarkFalse(other, meta.ReadyCondition, "ChartPullFailed", "chart 'app' not found in the repository index")
					return env.cp.Client.Status().Update(context.Background(), other)
				}, testkit.Timeout).Should(Succeed())
				update(t, hr, func(hr *helmv2.HelmRelease) { hr.Spec.ChartRef.Name = "notready" })
			},
			wantReason: sourceNotReadyReason,
			wantMsg:    []string{"/notready' is not ready: chart 'app' not found in the repository index"},
		},
		{
			name: "digest mismatch",
			breakIt: func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease) {
				c := testChart{name: "app", version: "1.1.0"}
				artifact := env.artifacts.publish("/helmchart/"+ns+"/app/app-1.1.0.tgz", "1.1.0", c.archive(t))
				artifact.Digest = "sha256:" + "0000000000000000000000000000000000000000000000000000000000000000"
				setArtifact(t, hc, artifact)
			},
			wantReason: helmv2.ArtifactFailedReason,
			wantMsg:    []string{"artifact digest mismatch", "should have digest sha256:0000"},
		},
		{
			name: "chart that does not render",
			breakIt: func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease) {
				setChartArtifact(t, hc, testChart{name: "app", version: "1.1.0", extra: map[string]string{"bad.yaml": "{{ .Values.nope.field }}"}})
			},
			wantReason: helmv2.UpgradeFailedReason,
			wantMsg:    []string{"Helm upgrade failed for release", "with chart app@1.1.0", "bad.yaml", "nothing was released: fix the chart or its values"},
		},
		{
			name: "values failing the chart's schema",
			breakIt: func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease) {
				setChartArtifact(t, hc, testChart{name: "app", version: "1.1.0",
					schema: `{"type":"object","properties":{"greeting":{"type":"string","maxLength":3}}}`})
			},
			wantReason: helmv2.UpgradeFailedReason,
			wantMsg:    []string{"with chart app@1.1.0", "greeting", "nothing was released"},
		},
		{
			name: "valuesFrom reference missing",
			breakIt: func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease) {
				update(t, hr, func(hr *helmv2.HelmRelease) {
					hr.Spec.ValuesFrom = []helmv2.ValuesReference{{Kind: "ConfigMap", Name: "absent"}}
				})
			},
			wantReason: valuesErrorReason,
			wantMsg:    []string{"spec.valuesFrom[0]: ConfigMap '", "/absent' not found: create it or mark the reference optional"},
		},
		{
			name: "valuesFrom key missing",
			breakIt: func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease) {
				create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "values"}, Data: map[string][]byte{"other": []byte("s3cr3t")}})
				update(t, hr, func(hr *helmv2.HelmRelease) {
					hr.Spec.ValuesFrom = []helmv2.ValuesReference{{Kind: "Secret", Name: "values", ValuesKey: "greeting"}}
				})
			},
			wantReason: valuesErrorReason,
			wantMsg:    []string{"spec.valuesFrom[0]: Secret '", "/values' has no key 'greeting': add it, fix valuesKey or mark the reference optional"},
		},
		{
			name: "targetPath with invalid syntax",
			breakIt: func(t *testing.T, ns string, hc *sourcev1.HelmChart, hr *helmv2.HelmRelease) {
				create(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "values"}, Data: map[string]string{"greeting": "hey"}})
				update(t, hr, func(hr *helmv2.HelmRelease) {
					hr.Spec.ValuesFrom = []helmv2.ValuesReference{{Kind: "ConfigMap", Name: "values", ValuesKey: "greeting", TargetPath: "a..b"}}
				})
			},
			wantReason: valuesErrorReason,
			wantMsg:    []string{"targetPath 'a..b'", "fix its syntax"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, env.cp.Client)
			hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
			hr := newRelease(ns, "app", hc.Name)
			create(t, hr)
			waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)

			tt.breakIt(t, ns, hc, hr)
			waitReady(t, hr, metav1.ConditionFalse, tt.wantReason)
			msg := conditionMessage(hr, meta.ReadyCondition)
			for _, part := range tt.wantMsg {
				g.Expect(msg).To(ContainSubstring(part))
			}
			g.Expect(msg).NotTo(ContainSubstring("s3cr3t"))
			waitEvent(t, hr, "Warning "+tt.wantReason)
			// The good release is untouched.
			g.Expect(configMapData(t, ns, "app")).To(HaveKeyWithValue("version", "1.0.0"))
			g.Expect(hr.Status.History.Latest().Version).To(Equal(1))
			g.Expect(hr.Status.History.Latest().Status).To(Equal("deployed"))
		})
	}
}
