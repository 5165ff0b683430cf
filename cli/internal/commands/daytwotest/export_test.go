package daytwotest

import (
	"context"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/cli/internal/commands/export"
	"github.com/tidegitops/tide/testkit"
)

// docs splits YAML documents separated by ---.
func docs(t *testing.T, s string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, d := range strings.Split(s, "---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(d), &u.Object); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, d)
		}
		out = append(out, u)
	}
	return out
}

func TestExportKustomizationRoundTrips(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	ks := newKustomization(t, ns, "apps", "repo", func(k *kustomizev1.Kustomization) {
		k.Labels = map[string]string{"team": "web"}
		k.Annotations = map[string]string{"owner": "web@example.com", meta.ReconcileRequestAnnotation: "now"}
		k.Finalizers = []string{"finalizers.fluxcd.io"}
		k.Spec.TargetNamespace = "web"
	})
	setStatus(t, ks, "now", "main@sha1:9999", metav1.ConditionTrue, "Applied")

	r := run(t, export.New, ns, "", "kustomization", "apps")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(HavePrefix("---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"))
	for _, banned := range []string{"status", "managedFields", "uid", "resourceVersion", "creationTimestamp", "generation", "finalizers", meta.ReconcileRequestAnnotation, "lastHandledReconcileAt"} {
		g.Expect(r.stdout).NotTo(ContainSubstring(banned))
	}
	got := docs(t, r.stdout)
	g.Expect(got).To(HaveLen(1))
	g.Expect(got[0].GetLabels()).To(Equal(map[string]string{"team": "web"}))
	g.Expect(got[0].GetAnnotations()).To(Equal(map[string]string{"owner": "web@example.com"}))

	// Apply it back: it recreates the same object.
	ks.Finalizers = nil
	g.Expect(cp.Client.Update(ctx, ks)).To(Succeed())
	g.Expect(cp.Client.Delete(ctx, ks)).To(Succeed())
	testkit.WaitForDeletion(t, cp.Client, &kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns}})
	g.Expect(cp.Client.Create(ctx, got[0])).To(Succeed())
	back := &kustomizev1.Kustomization{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), back)).To(Succeed())
	g.Expect(back.Spec).To(Equal(ks.Spec))
	g.Expect(back.Labels).To(Equal(map[string]string{"team": "web"}))
}

func TestExportAllSources(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	newGitRepo(t, ns, "a")
	newGitRepo(t, ns, "b")

	r := run(t, export.New, ns, "", "source", "git", "--all")
	g.Expect(r.err).NotTo(HaveOccurred())
	got := docs(t, r.stdout)
	g.Expect(got).To(HaveLen(2))
	g.Expect(got[0].GetName()).To(Equal("a"))
	g.Expect(got[1].GetName()).To(Equal("b"))
	url, _, _ := unstructured.NestedString(got[1].Object, "spec", "url")
	g.Expect(url).To(Equal("https://git.example.com/org/b.git"))

	r = run(t, export.New, ns, "", "source", "git")
	g.Expect(r.err).To(MatchError("give the source git's name, or --all"))
	r = run(t, export.New, ns, "", "source", "git", "a", "--all")
	g.Expect(r.err).To(MatchError("give either a name or --all, not both"))
}
