package helmrelease

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	. "github.com/onsi/gomega"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/testkit"
)

// sprocketCRD is a CRD whose schema knows spec.size only.
const sprocketCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: sprockets.example.tide.dev
spec:
  group: example.tide.dev
  names:
    kind: Sprocket
    plural: sprockets
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size:
                type: integer
`

func sprocket(spec string) string {
	return "apiVersion: example.tide.dev/v1\nkind: Sprocket\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  " + spec + "\n"
}

// The releases of the controller share what it learned of the API (the
// validator, the kinds): a kind a CRD of one release adds is released by
// the next, and still validated strictly (an unknown field is refused).
func TestKindOfACRDOfOneReleaseInTheNext(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, env.cp.Client)
	t.Cleanup(func() {
		_ = env.cp.Client.Delete(ctx, &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: "sprockets.example.tide.dev"}})
	})

	crds := newHelmChart(t, ns, "crds", testChart{name: "crds", version: "1.0.0", crds: map[string]string{"sprocket.yaml": sprocketCRD}})
	first := newRelease(ns, "crds", crds.Name)
	create(t, first)
	waitReady(t, first, metav1.ConditionTrue, helmv2.InstallSucceededReason)

	good := newHelmChart(t, ns, "good", testChart{name: "good", version: "1.0.0", templates: map[string]string{"sprocket.yaml": sprocket("size: 3")}})
	next := newRelease(ns, "good", good.Name)
	create(t, next)
	waitReady(t, next, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(schema.GroupVersionKind{Group: "example.tide.dev", Version: "v1", Kind: "Sprocket"})
	g.Expect(env.cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: next.Name}, obj)).To(Succeed())

	bad := newHelmChart(t, ns, "bad", testChart{name: "bad", version: "1.0.0", templates: map[string]string{"sprocket.yaml": sprocket("colour: red")}})
	refused := newRelease(ns, "bad", bad.Name)
	create(t, refused)
	waitReady(t, refused, metav1.ConditionFalse, helmv2.InstallFailedReason)
	g.Expect(conditions.GetMessage(refused, meta.ReadyCondition)).To(ContainSubstring("colour"))
}
