package inventorytree_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	treecmd "github.com/tidegitops/tide/cli/internal/commands/tree"
	"github.com/tidegitops/tide/cli/internal/inventorytree"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// kustomization creates the Kustomization ns/name with the inventory ids
// (version v1 for all) in its status.
func kustomization(t *testing.T, ns, name string, ids ...string) {
	t.Helper()
	ctx := context.Background()
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval:  metav1.Duration{Duration: time.Minute},
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "fleet"},
		},
	}
	if err := cp.Client.Create(ctx, ks); err != nil {
		t.Fatal(err)
	}
	ks.Status.Inventory = &kustomizev1.ResourceInventory{}
	for _, id := range ids {
		ks.Status.Inventory.Entries = append(ks.Status.Inventory.Entries, kustomizev1.ResourceRef{ID: id, Version: "v1"})
	}
	if err := cp.Client.Status().Update(ctx, ks); err != nil {
		t.Fatal(err)
	}
}

func TestTreeExpandsNestedKustomizations(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	const group = "kustomize.toolkit.fluxcd.io"
	kustomization(t, ns, "root",
		"_"+ns+"__Namespace",
		ns+"_apps_"+group+"_Kustomization",
		ns+"_root_"+group+"_Kustomization", // applies itself, as flux-system does
		ns+"_gone_"+group+"_Kustomization", // listed, but deleted since
	)
	kustomization(t, ns, "apps",
		ns+"_web_apps_Deployment",
		ns+"_infra_"+group+"_Kustomization",
		ns+"_web__Service",
	)
	kustomization(t, ns, "infra", "_admin_rbac.authorization.k8s.io_ClusterRole")

	var out bytes.Buffer
	cmd := treecmd.New(kube.WithConfig(cp.Config, ns))
	cmd.SetArgs([]string{"kustomization", "root"})
	cmd.SetOut(&out)
	g.Expect(cmd.ExecuteContext(context.Background())).To(Succeed())
	g.Expect(out.String()).To(Equal(replaceNS(`Kustomization/NS/root
├── Namespace/NS
├── Kustomization/NS/apps
│   ├── Deployment/NS/web
│   ├── Kustomization/NS/infra
│   │   └── ClusterRole/admin
│   └── Service/NS/web
├── Kustomization/NS/root
└── Kustomization/NS/gone
`, ns)))

	out.Reset()
	cmd = treecmd.New(kube.WithConfig(cp.Config, ns))
	cmd.SetArgs([]string{"kustomization", "root", "-o", "json"})
	cmd.SetOut(&out)
	g.Expect(cmd.ExecuteContext(context.Background())).To(Succeed())
	var root inventorytree.Node
	g.Expect(json.Unmarshal(out.Bytes(), &root)).To(Succeed())
	g.Expect(root.Resources).To(HaveLen(4))
	g.Expect(root.Resources[1].Name).To(Equal("apps"))
	g.Expect(root.Resources[1].Resources[1].Resources[0].String()).To(Equal("ClusterRole/admin"))
	g.Expect(root.Resources[1].Resources[0].Group).To(Equal("apps"))
}

// Flux writes each ':' of an RBAC name as "__" in its inventory ids, and
// names may hold '_': the tree shows the names as they are in the cluster.
func TestTreeReadsFluxIDsOfRBACNames(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	kustomization(t, ns, "rbac",
		"_tide__reader_rbac.authorization.k8s.io_ClusterRole",
		ns+"_tide__reader__"+ns+"_rbac.authorization.k8s.io_RoleBinding",
		"_team_a__view_rbac.authorization.k8s.io_ClusterRoleBinding",
		ns+"_web__ConfigMap",
	)

	var out bytes.Buffer
	cmd := treecmd.New(kube.WithConfig(cp.Config, ns))
	cmd.SetArgs([]string{"kustomization", "rbac"})
	cmd.SetOut(&out)
	g.Expect(cmd.ExecuteContext(context.Background())).To(Succeed())
	g.Expect(out.String()).To(Equal(replaceNS(`Kustomization/NS/rbac
├── ClusterRole/tide:reader
├── RoleBinding/NS/tide:reader:NS
├── ClusterRoleBinding/team_a:view
└── ConfigMap/NS/web
`, ns)))

	root, err := inventorytree.Read(context.Background(), cp.Client, ns, "rbac")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(*root.Resources[0]).To(Equal(inventorytree.Node{
		Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole", Name: "tide:reader"}))
}

func TestTreeRefusesMalformedIDs(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	kustomization(t, ns, "bad", ns+"_web_ConfigMap")
	_, err := inventorytree.Read(context.Background(), cp.Client, ns, "bad")
	g.Expect(err).To(MatchError(ContainSubstring(`invalid inventory id "` + ns + `_web_ConfigMap"`)))
}

func TestTreeNotFound(t *testing.T) {
	g := NewWithT(t)
	_, err := inventorytree.Read(context.Background(), cp.Client, "default", "nope")
	g.Expect(err).To(MatchError(ContainSubstring("Kustomization 'default/nope' not found")))
}

func replaceNS(s, ns string) string { return strings.ReplaceAll(s, "NS", ns) }
