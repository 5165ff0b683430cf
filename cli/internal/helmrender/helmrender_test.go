package helmrender_test

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/clusterdiff"
	buildcmd "github.com/tidegitops/tide/cli/internal/commands/build"
	diffcmd "github.com/tidegitops/tide/cli/internal/commands/diff"
	"github.com/tidegitops/tide/testkit"
)

// `tide build helmrelease` prints what the helm-controller installed, byte
// for byte: the same chart artifact, the values composed the same way
// (valuesFrom, values, targetPath), the same release name and namespace.
// --values files are merged over them.
func TestBuildHelmReleaseEqualsInstalledManifest(t *testing.T) {
	g := NewWithT(t)
	f := newFleet(t)

	out, err := f.run(buildcmd.New, "helmrelease", "app")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out).To(Equal(f.installedManifest("1")))
	g.Expect(out).To(ContainSubstring("greeting: from the configmap"), "valuesFrom ConfigMap")
	g.Expect(out).To(ContainSubstring("color: red"), "spec.values over valuesFrom")
	g.Expect(out).To(ContainSubstring("password: hunter2"), "targetPath from the Secret")
	g.Expect(out).To(ContainSubstring("patched-by: post-renderer"), "spec.postRenderers")
	g.Expect(out).To(ContainSubstring("helm.toolkit.fluxcd.io/name: 'app'"), "the origin labels")

	out, err = f.run(buildcmd.New, "helmrelease", "app", "--values", f.writeValues("color: purple\n"),
		"-f", f.writeValues("greeting: local\n"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out).To(ContainSubstring("color: purple"))
	g.Expect(out).To(ContainSubstring("greeting: local"))
	g.Expect(out).To(ContainSubstring("password: hunter2"))
}

// `tide diff helmrelease` finds nothing right after the install, shows a
// hand edit, what local values would change and what an upgrade would
// delete, masks Secrets, and exits 1 (ErrDifferences) whenever it shows
// something.
func TestDiffHelmRelease(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	f := newFleet(t)

	out, err := f.run(diffcmd.New, "helmrelease", "app")
	g.Expect(err).NotTo(HaveOccurred(), out)
	g.Expect(out).To(Equal("✔ no changes: the cluster matches the render of HelmRelease '" + f.ns +
		"/app' (release " + f.ns + "/app, chart app@1.0.0)\n"))

	out, err = f.run(diffcmd.New, "helmrelease", "app", "--values", f.writeValues("color: purple\n"))
	g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
	g.Expect(out).To(HavePrefix("► ConfigMap/" + f.ns + "/app drifted\n\n--- live\n+++ merged\n"))
	g.Expect(out).To(ContainSubstring("-  color: red\n+  color: purple\n"))
	g.Expect(out).NotTo(ContainSubstring("Secret"), "the Secret does not change")

	out, err = f.run(diffcmd.New, "helmrelease", "app", "--values", f.writeValues("password: correct-horse\n"))
	g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
	g.Expect(out).To(HavePrefix("► Secret/" + f.ns + "/app-creds drifted\n"))
	g.Expect(out).To(ContainSubstring("-  password: '*** (before)'\n+  password: '*** (after)'\n"))
	g.Expect(out).To(ContainSubstring("   user: '***'\n"))
	for _, value := range []string{"hunter2", "correct-horse", "admin"} {
		g.Expect(out).NotTo(ContainSubstring(value))
		g.Expect(out).NotTo(ContainSubstring(base64.StdEncoding.EncodeToString([]byte(value))))
	}

	out, err = f.run(diffcmd.New, "helmrelease", "app", "--values", f.writeValues("withSecret: false\n"))
	g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
	g.Expect(out).To(Equal("► Secret/"+f.ns+"/app-creds deleted\n"), "an upgrade deletes what the chart no longer renders")

	cm := &corev1.ConfigMap{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: "app"}, cm)).To(Succeed())
	cm.Data["color"] = "edited-by-hand"
	g.Expect(cp.Client.Update(ctx, cm)).To(Succeed())
	out, err = f.run(diffcmd.New, "helmrelease", "app")
	g.Expect(err).To(MatchError(clusterdiff.ErrDifferences))
	g.Expect(out).To(HavePrefix("► ConfigMap/" + f.ns + "/app drifted\n"))
	g.Expect(out).To(ContainSubstring("-  color: edited-by-hand\n+  color: red\n"))
	g.Expect(out).NotTo(ContainSubstring("Secret"), "the Secret did not change")
	g.Expect(out).NotTo(ContainSubstring("managedFields"))
}

// A HelmRelease whose release is in another cluster is refused with why,
// before anything is fetched.
func TestRenderRefusesKubeConfig(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	hr := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: "remote", Namespace: ns},
		Spec: helmv2.HelmReleaseSpec{
			Interval:   metav1.Duration{Duration: time.Hour},
			ChartRef:   &helmv2.CrossNamespaceSourceReference{Kind: sourcev1.OCIRepositoryKind, Name: "charts"},
			KubeConfig: &kustomizev1.KubeConfigReference{SecretRef: &meta.SecretKeyReference{Name: "remote-kubeconfig"}},
		},
	}
	g.Expect(cp.Client.Create(context.Background(), hr)).To(Succeed())
	f := &fleet{t: t, ns: ns}
	for _, run := range []func() (string, error){
		func() (string, error) { return f.run(buildcmd.New, "helmrelease", "remote") },
		func() (string, error) { return f.run(diffcmd.New, "helmrelease", "remote") },
	} {
		out, err := run()
		g.Expect(err).To(MatchError(ContainSubstring("HelmRelease '" + ns + "/remote' sets spec.kubeConfig: its release is in another cluster")))
		g.Expect(err).NotTo(MatchError(clusterdiff.ErrDifferences))
		g.Expect(out).To(BeEmpty())
	}
}
