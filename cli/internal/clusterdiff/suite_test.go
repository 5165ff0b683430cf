package clusterdiff_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/cli/internal/clusterdiff"
	diffcmd "github.com/tidegitops/tide/cli/internal/commands/diff"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/localbuild"
	"github.com/tidegitops/tide/kustomize-controller/inventory"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// fixture is a Kustomization "apps" of a local folder, applied to the
// cluster as the controller would have applied it.
type fixture struct {
	t   *testing.T
	ns  string
	dir string
}

// newFixture writes files into a folder, creates the Kustomization (prune
// on, targetNamespace its namespace), applies the folder's build as the
// controller's field manager and records the inventory in its status, with
// ids in the format Flux and the controller write.
func newFixture(t *testing.T, files map[string]string) *fixture {
	t.Helper()
	g := NewWithT(t)
	ctx := context.Background()
	f := &fixture{t: t, ns: testkit.NewNamespace(t, cp.Client), dir: t.TempDir()}
	for name, content := range files {
		f.write(name, content)
	}
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: f.ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval:        metav1.Duration{Duration: time.Minute},
			Path:            "./",
			Prune:           true,
			TargetNamespace: f.ns,
			SourceRef:       kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "fleet"},
		},
	}
	g.Expect(cp.Client.Create(ctx, ks)).To(Succeed())

	_, objs, _, err := localbuild.Run(ctx, localbuild.Input{Name: "apps", Namespace: f.ns, Dir: f.dir},
		func(context.Context) (client.Client, error) { return cp.Client, nil })
	g.Expect(err).NotTo(HaveOccurred())
	inv := &kustomizev1.ResourceInventory{}
	for _, obj := range objs {
		g.Expect(cp.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj.DeepCopy()),
			client.FieldOwner(clusterdiff.FieldManager), client.ForceOwnership)).To(Succeed())
		ref := inventory.RefOf(obj)
		inv.Entries = append(inv.Entries, kustomizev1.ResourceRef{ID: ref.ID(), Version: ref.Version})
	}
	ks.Status.Inventory = inv
	g.Expect(cp.Client.Status().Update(ctx, ks)).To(Succeed())
	return f
}

func (f *fixture) write(name, content string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, name), []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// diff runs `tide diff kustomization apps --path <dir>` and returns its
// output and error.
func (f *fixture) diff() (string, error) { return f.diffWith() }

// diffWith runs `tide diff kustomization apps --path <dir>` with more flags.
func (f *fixture) diffWith(flags ...string) (string, error) {
	var out bytes.Buffer
	cmd := diffcmd.New(kube.WithConfig(cp.Config, f.ns))
	cmd.SetArgs(append([]string{"kustomization", "apps", "--path", f.dir}, flags...))
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func configMap(name, value string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  color: " + value + "\n"
}

func secret(value string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: " + value + "\n  user: admin\n"
}

func clusterRole(name string) string {
	return "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: " + name + "\n" +
		"rules:\n- apiGroups: ['']\n  resources: [configmaps]\n  verbs: [get]\n"
}
