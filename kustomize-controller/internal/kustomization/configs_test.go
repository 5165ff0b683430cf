package kustomization

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// watched is the label --watch-configs-label-selector selects by default.
var watched = map[string]string{meta.LabelKeyWatch: meta.LabelValueWatchEnabled}

// A new value in a labelled ConfigMap or Secret of substituteFrom is applied
// at once: no reconcile request, and the Kustomization's interval is an
// hour.
func TestWatchedConfigChangeIsApplied(t *testing.T) {
	tests := []struct {
		kind string
		vars func(ns, value string) client.Object
	}{
		{"ConfigMap", func(ns, value string) client.Object {
			return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "vars", Namespace: ns, Labels: watched},
				Data: map[string]string{"VERSION": value}}
		}},
		{"Secret", func(ns, value string) client.Object {
			return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "vars", Namespace: ns, Labels: watched},
				Data: map[string][]byte{"VERSION": []byte(value)}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			ns := testkit.NewNamespace(t, env.cp.Client)
			create(t, tt.vars(ns, "v1"))
			ks := substituting(t, ns, tt.kind)
			NewWithT(t).Expect(configMap(t, ns, "app").Data).To(HaveKeyWithValue("key", "v1"))

			update(t, tt.vars(ns, "v2"))
			NewWithT(t).Eventually(func() map[string]string { return configMap(t, ns, "app").Data },
				testkit.Timeout).Should(HaveKeyWithValue("key", "v2"))
			NewWithT(t).Expect(ks.Annotations).NotTo(HaveKey(meta.ReconcileRequestAnnotation))
		})
	}
}

// Without the label the change waits for the next interval (or a reconcile
// request): the controller does not watch every ConfigMap of the cluster.
func TestUnlabelledConfigChangeWaits(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	vars := func(value string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "vars", Namespace: ns},
			Data: map[string]string{"VERSION": value}}
	}
	create(t, vars("v1"))
	ks := substituting(t, ns, "ConfigMap")
	update(t, vars("v2"))
	NewWithT(t).Consistently(func() map[string]string { return configMap(t, ns, "app").Data },
		3*time.Second, 200*time.Millisecond).Should(HaveKeyWithValue("key", "v1"))

	requestReconcile(t, ks)
	NewWithT(t).Expect(configMap(t, ns, "app").Data).To(HaveKeyWithValue("key", "v2"))
}

// substituting creates a Kustomization applying ConfigMap "app" with
// key: ${VERSION} from the kind (ConfigMap or Secret) "vars", and waits until
// it is applied.
func substituting(t *testing.T, ns, kind string) *kustomizev1.Kustomization {
	t.Helper()
	repo := newSource(t, ns, map[string]string{"app.yaml": configMapYAML("app", "${VERSION}")})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.PostBuild = &kustomizev1.PostBuild{
			SubstituteFrom: []kustomizev1.SubstituteReference{{Kind: kind, Name: "vars"}},
		}
	})
	waitApplied(t, ks, *repo.Status.Artifact)
	return ks
}

// update writes obj over the object of the same name, as kubectl apply would.
func update(t *testing.T, obj client.Object) {
	t.Helper()
	NewWithT(t).Eventually(func() error {
		current := obj.DeepCopyObject().(client.Object)
		if err := env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), current); err != nil {
			return err
		}
		obj.SetResourceVersion(current.GetResourceVersion())
		return env.cp.Client.Update(context.Background(), obj)
	}, testkit.Timeout).Should(Succeed())
}
