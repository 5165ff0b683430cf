package ssa

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
	"github.com/tidegitops/tide/testkit"
)

// cp is the control plane the tests of this package share.
var cp *testkit.ControlPlane

func TestMain(m *testing.M) {
	testkit.Main(m, &cp)
}

const owner = "kustomize-controller"

func newManager() *Manager {
	return &Manager{Client: cp.Client, Owner: owner}
}

// object reads one object from YAML, with fmt-style arguments.
func object(t testing.TB, format string, args ...any) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(fmt.Appendf(nil, format, args...), &obj.Object); err != nil {
		t.Fatalf("parse object: %v", err)
	}
	return obj
}

func configMap(t testing.TB, ns, name string, data string) *unstructured.Unstructured {
	t.Helper()
	return object(t, `
apiVersion: v1
kind: ConfigMap
metadata: {name: %s, namespace: %s}
data: %s
`, name, ns, data)
}

// uniqueName is a name no other test uses, for cluster-wide objects.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%08x", prefix, rand.Uint32())
}

// newNamespaceObject returns a Namespace that does not exist yet, deleted
// when the test ends.
func newNamespaceObject(t testing.TB) *unstructured.Unstructured {
	t.Helper()
	ns := object(t, "{apiVersion: v1, kind: Namespace, metadata: {name: %s}}", uniqueName("ns"))
	t.Cleanup(func() { _ = cp.Client.Delete(context.Background(), ns.DeepCopy()) })
	return ns
}

func apply(t testing.TB, m *Manager, opts ApplyOptions, objs ...*unstructured.Unstructured) ChangeSet {
	t.Helper()
	cs, err := m.Apply(context.Background(), objs, opts)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return cs
}

// lines is a ChangeSet as the strings its String method joins.
func lines(cs ChangeSet) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

// live reads the object as the cluster has it; nil when it does not exist.
func live(t testing.TB, obj *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(obj.GroupVersionKind())
	err := cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), got)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatalf("get %s: %v", inventory.RefOf(obj), err)
	}
	return got
}

// edit updates the live object as a person would with kubectl edit: a plain
// update under the given field manager.
func edit(t testing.TB, obj *unstructured.Unstructured, manager string, change func(*unstructured.Unstructured)) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		cur := live(t, obj)
		change(cur)
		return cp.Client.Update(context.Background(), cur, client.FieldOwner(manager))
	}, testkit.Timeout, 50*time.Millisecond).Should(Succeed())
}

func data(t testing.TB, obj *unstructured.Unstructured) map[string]string {
	t.Helper()
	got := live(t, obj)
	if got == nil {
		t.Fatalf("%s does not exist", inventory.RefOf(obj))
	}
	d, _, _ := unstructured.NestedStringMap(got.Object, "data")
	return d
}
