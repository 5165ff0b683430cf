package inventorytree_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	treecmd "github.com/tidegitops/tide/cli/internal/commands/tree"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
)

// helmRelease creates the HelmRelease ns/name with the inventory ids the
// helm-controller would record for its release.
func helmRelease(t *testing.T, ns, name string, ids ...string) {
	t.Helper()
	ctx := context.Background()
	hr := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: helmv2.HelmReleaseSpec{Interval: metav1.Duration{Duration: time.Minute},
			ChartRef: &helmv2.CrossNamespaceSourceReference{Kind: "OCIRepository", Name: name}},
	}
	if err := cp.Client.Create(ctx, hr); err != nil {
		t.Fatal(err)
	}
	hr.Status.Inventory = &helmv2.ResourceInventory{Entries: []helmv2.ResourceRef{}}
	for _, id := range ids {
		hr.Status.Inventory.Entries = append(hr.Status.Inventory.Entries, helmv2.ResourceRef{ID: id, Version: "v1"})
	}
	if err := cp.Client.Status().Update(ctx, hr); err != nil {
		t.Fatal(err)
	}
}

// `tide tree helmrelease` lists the release's objects; a Kustomization's
// tree expands the HelmReleases it applied, as flux's tree does.
func TestTreeOfHelmReleases(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	helmRelease(t, ns, "web", ns+"_web_apps_Deployment", ns+"_web__Service")
	kustomization(t, ns, "apps", ns+"_web_helm.toolkit.fluxcd.io_HelmRelease", ns+"_gone_helm.toolkit.fluxcd.io_HelmRelease")

	tree := func(args ...string) (string, error) {
		var out bytes.Buffer
		cmd := treecmd.New(kube.WithConfig(cp.Config, ns))
		cmd.SetArgs(args)
		cmd.SetOut(&out)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.ExecuteContext(context.Background())
		return out.String(), err
	}
	out, err := tree("helmrelease", "web")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out).To(Equal(replaceNS("HelmRelease/NS/web\n├── Deployment/NS/web\n└── Service/NS/web\n", ns)))

	out, err = tree("ks", "apps")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(out).To(Equal(replaceNS(`Kustomization/NS/apps
├── HelmRelease/NS/web
│   ├── Deployment/NS/web
│   └── Service/NS/web
└── HelmRelease/NS/gone
`, ns)))

	_, err = tree("hr", "missing")
	g.Expect(err).To(MatchError("HelmRelease '" + ns + "/missing' not found: check the name and -n/--namespace"))
}
