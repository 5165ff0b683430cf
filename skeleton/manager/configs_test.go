package manager

import (
	"context"
	"slices"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/testkit"
)

// With WatchConfigs the manager's cache holds the metadata of the Secrets
// and ConfigMaps --watch-configs-label-selector selects, and no others: a
// cluster's Secrets do not all sit in the kustomize-controller's memory.
// Without it a watch of Secrets (the source-controller's, for the Secrets
// GitRepositories name) sees them all.
func TestConfigsCache(t *testing.T) {
	cp, err := testkit.StartControlPlane()
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Stop()
	ns := testkit.NewNamespace(t, cp.Client)
	watched := map[string]string{"reconcile.fluxcd.io/watch": "Enabled"}
	for _, obj := range []client.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "labelled", Namespace: ns, Labels: watched}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: ns}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "labelled", Namespace: ns, Labels: watched}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: ns}},
	} {
		if err := cp.Client.Create(context.Background(), obj); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		watchConfigs bool
		want         []string
	}{
		{true, []string{"labelled"}},
		{false, []string{"labelled", "plain"}},
	}
	for _, tt := range tests {
		o := Options{Name: "test-controller", MetricsAddr: "0", HealthAddr: "0", WatchConfigs: tt.watchConfigs}
		o.Watch.AllNamespaces = true
		o.Watch.ConfigsLabelSelector = "reconcile.fluxcd.io/watch=Enabled"
		mgr, err := New(cp.Config, o, cp.Scheme)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { _ = mgr.Start(ctx) }()
		for _, kind := range []string{"SecretList", "ConfigMapList"} {
			// The cache starts with the manager: List fails until then, and
			// once it answers, the cache has synced and the answer is final.
			list := &metav1.PartialObjectMetadataList{}
			list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind(kind))
			NewWithT(t).Eventually(func() error { return mgr.GetCache().List(ctx, list, client.InNamespace(ns)) },
				testkit.Timeout, 100*time.Millisecond).Should(Succeed(), "the cache never listed %s", kind)
			var got []string
			for _, item := range list.Items {
				got = append(got, item.Name)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("WatchConfigs=%t: cached %s %v, want %v", tt.watchConfigs, kind, got, tt.want)
			}
		}
		cancel()
	}
}
