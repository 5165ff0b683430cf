package inventory

import (
	"reflect"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

func object(apiVersion, kind, namespace, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(namespace)
	u.SetName(name)
	return u
}

func entries(pairs ...string) *kustomizev1.ResourceInventory {
	inv := &kustomizev1.ResourceInventory{Entries: []kustomizev1.ResourceRef{}}
	for i := 0; i < len(pairs); i += 2 {
		inv.Entries = append(inv.Entries, kustomizev1.ResourceRef{ID: pairs[i], Version: pairs[i+1]})
	}
	return inv
}

// New lists the entries as Flux's kustomize-controller writes them: in its
// apply order (stages, then kind, group, namespace, name).
func TestNewOrdersEntriesAsFluxWritesThem(t *testing.T) {
	got := New([]*unstructured.Unstructured{
		object("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "", "hooks"),
		object("apps/v1", "Deployment", "web", "app"),
		object("example.com/v1", "Widget", "web", "w"),
		object("example.com/v1", "Gadget", "web", "g"),
		object("a.example.com/v1", "Thing", "web", "t"),
		object("v1", "Service", "web", "app"),
		object("v1", "ConfigMap", "web", "app"),
		object("v1", "ConfigMap", "web", "aaa"),
		object("v1", "ConfigMap", "api", "zz"),
		object("v1", "ConfigMap", "web", "app"), // listed twice: recorded once
		object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", "system:tide:reader"),
		object("v1", "ServiceAccount", "web", "app"),
		object("example.com/v1", "WidgetClass", "", "big"),
		object("networking.k8s.io/v1", "IngressClass", "", "nginx"),
		object("storage.k8s.io/v1", "StorageClass", "", "fast"),
		object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "system:tide:reader"),
		object("v1", "Namespace", "", "web"),
		object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com"),
	})
	want := entries(
		// CRDs, Namespaces and ClusterRoles first,
		"_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition", "v1",
		"_web__Namespace", "v1",
		"_system__tide__reader_rbac.authorization.k8s.io_ClusterRole", "v1",
		// then the *Class kinds,
		"_fast_storage.k8s.io_StorageClass", "v1",
		"_nginx_networking.k8s.io_IngressClass", "v1",
		"_big_example.com_WidgetClass", "v1",
		// then the rest: well-known kinds in their order, the others, webhooks.
		"web_app__ServiceAccount", "v1",
		"_system__tide__reader_rbac.authorization.k8s.io_ClusterRoleBinding", "v1",
		"api_zz__ConfigMap", "v1",
		"web_aaa__ConfigMap", "v1",
		"web_app__ConfigMap", "v1",
		"web_app__Service", "v1",
		"web_app_apps_Deployment", "v1",
		"web_t_a.example.com_Thing", "v1",
		"web_g_example.com_Gadget", "v1",
		"web_w_example.com_Widget", "v1",
		"_hooks_admissionregistration.k8s.io_ValidatingWebhookConfiguration", "v1",
	)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("New =\n%v\nwant\n%v", got.Entries, want.Entries)
	}
	if got := New(nil); got == nil || got.Entries == nil || len(got.Entries) != 0 {
		t.Errorf("New(nil) = %v, want an empty inventory", got)
	}
}

func TestNewKeepsTheFirstVersionOfAnObjectListedTwice(t *testing.T) {
	got := New([]*unstructured.Unstructured{
		object("autoscaling/v2", "HorizontalPodAutoscaler", "web", "app"),
		object("autoscaling/v1", "HorizontalPodAutoscaler", "web", "app"),
	})
	want := entries("web_app_autoscaling_HorizontalPodAutoscaler", "v2")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("New = %v, want %v", got.Entries, want.Entries)
	}
}

func TestUnionKeepsAFirstThenWhatOnlyBHas(t *testing.T) {
	a := entries("_web__Namespace", "v1", "web_app__ConfigMap", "v1")
	b := entries("web_old__ConfigMap", "v1", "web_app__ConfigMap", "v0", "_old__Namespace", "v1")
	want := entries("_web__Namespace", "v1", "web_app__ConfigMap", "v1", "web_old__ConfigMap", "v1", "_old__Namespace", "v1")
	if got := Union(a, b); !reflect.DeepEqual(got, want) {
		t.Errorf("Union = %v, want %v", got.Entries, want.Entries)
	}
	if got := Union(nil, nil); got == nil || got.Entries == nil || len(got.Entries) != 0 {
		t.Errorf("Union(nil, nil) = %v, want an empty inventory", got)
	}
}

func TestRefsRoundTrip(t *testing.T) {
	objs := []*unstructured.Unstructured{
		object("apps/v1", "Deployment", "web", "app"),
		object("v1", "Namespace", "", "web"),
	}
	refs, err := Refs(New(objs))
	if err != nil {
		t.Fatal(err)
	}
	want := []ObjectRef{
		{Version: "v1", Kind: "Namespace", Name: "web"},
		{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "web", Name: "app"},
	}
	if !reflect.DeepEqual(refs, want) {
		t.Errorf("Refs = %+v, want %+v", refs, want)
	}
	if refs, err := Refs(nil); refs != nil || err != nil {
		t.Errorf("Refs(nil) = %v, %v; want nil, nil", refs, err)
	}
	if _, err := Refs(entries("not-an-id", "v1")); err == nil {
		t.Error("Refs accepted a malformed id")
	}
}

func TestStale(t *testing.T) {
	tests := []struct {
		name     string
		old, new *kustomizev1.ResourceInventory
		want     []string // String() of each stale ref, in order
	}{
		{name: "nil old", old: nil, new: entries("ns_a__ConfigMap", "v1"), want: nil},
		{name: "nothing left Git", old: entries("ns_a__ConfigMap", "v1"), new: entries("ns_a__ConfigMap", "v1"), want: nil},
		{
			name: "version change is the same object",
			old:  entries("ns_hpa_autoscaling_HorizontalPodAutoscaler", "v2beta2"),
			new:  entries("ns_hpa_autoscaling_HorizontalPodAutoscaler", "v2"),
			want: nil,
		},
		{
			name: "a Flux-written RBAC id with __ is the object with ':' in Git",
			old:  entries("_system__tide__reader_rbac.authorization.k8s.io_ClusterRole", "v1", "ns_a__ConfigMap", "v1"),
			new: New([]*unstructured.Unstructured{
				object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "system:tide:reader"),
			}),
			want: []string{"ConfigMap/ns/a"},
		},
		{
			name: "a Flux-written RBAC id with __ is pruned by its name with ':'",
			old:  entries("_system__tide__reader_rbac.authorization.k8s.io_ClusterRole", "v1", "ns_a__ConfigMap", "v1"),
			new:  entries("ns_a__ConfigMap", "v1"),
			want: []string{"ClusterRole/system:tide:reader"},
		},
		{
			name: "nil new prunes everything",
			old:  entries("ns_a__ConfigMap", "v1"),
			new:  nil,
			want: []string{"ConfigMap/ns/a"},
		},
		{
			name: "delete order: namespaced, cluster-wide, Namespaces, CRDs",
			old: entries(
				"_ns__Namespace", "v1",
				"_reader_rbac.authorization.k8s.io_ClusterRole", "v1",
				"_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition", "v1",
				"ns_a__ConfigMap", "v1",
				"ns_kept__ConfigMap", "v1",
				"ns_w_example.com_Widget", "v1",
				"_aaa__Namespace", "v1",
			),
			new: entries("ns_kept__ConfigMap", "v1"),
			want: []string{
				"ConfigMap/ns/a", "Widget/ns/w",
				"ClusterRole/reader",
				"Namespace/aaa", "Namespace/ns",
				"CustomResourceDefinition/widgets.example.com",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refs, err := Stale(tt.old, tt.new)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range refs {
				got = append(got, r.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Stale = %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := Stale(entries("bad", "v1"), nil); err == nil {
		t.Error("Stale accepted a malformed old inventory")
	}
}
