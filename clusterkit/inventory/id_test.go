package inventory

import (
	"testing"
)

// Ids as Flux's kustomize-controller writes them to status.inventory, and
// the objects they stand for.
var fluxIDs = []struct {
	id  string
	ref ObjectRef
}{
	{"apps_web__ConfigMap", ObjectRef{Version: "v1", Kind: "ConfigMap", Namespace: "apps", Name: "web"}},
	{"_apps__Namespace", ObjectRef{Version: "v1", Kind: "Namespace", Name: "apps"}},
	{"apps_web_apps_Deployment", ObjectRef{Group: "apps", Version: "v1", Kind: "Deployment", Namespace: "apps", Name: "web"}},
	{"_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition",
		ObjectRef{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition", Name: "widgets.example.com"}},
	{"apps_w_example.com_Widget", ObjectRef{Group: "example.com", Version: "v1", Kind: "Widget", Namespace: "apps", Name: "w"}},
	// RBAC names may hold ':', written "__".
	{"_system__controller__foo_rbac.authorization.k8s.io_ClusterRole",
		ObjectRef{Group: rbacGroup, Version: "v1", Kind: "ClusterRole", Name: "system:controller:foo"}},
	{"_tenant__team-a__admin_rbac.authorization.k8s.io_ClusterRoleBinding",
		ObjectRef{Group: rbacGroup, Version: "v1", Kind: "ClusterRoleBinding", Name: "tenant:team-a:admin"}},
	{"kube-system_system__controller__bootstrap-signer_rbac.authorization.k8s.io_Role",
		ObjectRef{Group: rbacGroup, Version: "v1", Kind: "Role", Namespace: "kube-system", Name: "system:controller:bootstrap-signer"}},
	{"kube-system_system____leader-locking-kube-scheduler_rbac.authorization.k8s.io_RoleBinding",
		ObjectRef{Group: rbacGroup, Version: "v1", Kind: "RoleBinding", Namespace: "kube-system", Name: "system::leader-locking-kube-scheduler"}},
}

func TestIDIsWhatFluxWrites(t *testing.T) {
	for _, tt := range fluxIDs {
		if got := tt.ref.ID(); got != tt.id {
			t.Errorf("%s: ID() = %q, want %q", tt.ref, got, tt.id)
		}
	}
}

func TestParseIDReadsWhatFluxWrites(t *testing.T) {
	for _, tt := range fluxIDs {
		got, err := ParseID(tt.id, "v1")
		if err != nil {
			t.Errorf("ParseID(%q): %v", tt.id, err)
			continue
		}
		if got != tt.ref {
			t.Errorf("ParseID(%q) = %+v, want %+v", tt.id, got, tt.ref)
		}
		if again := got.ID(); again != tt.id {
			t.Errorf("ParseID(%q).ID() = %q, want it back", tt.id, again)
		}
	}
}

func TestParseIDOfUnusualNames(t *testing.T) {
	tests := []struct {
		name, id string
		want     ObjectRef
	}{
		{
			// Legal for RBAC objects; Flux writes the id but refuses to read it.
			name: "RBAC name with _",
			id:   "_my_role_rbac.authorization.k8s.io_ClusterRole",
			want: ObjectRef{Group: rbacGroup, Version: "v1", Kind: "ClusterRole", Name: "my_role"},
		},
		{
			name: "RBAC name with _ and :",
			id:   "ns_team_a__reader_rbac.authorization.k8s.io_RoleBinding",
			want: ObjectRef{Group: rbacGroup, Version: "v1", Kind: "RoleBinding", Namespace: "ns", Name: "team_a:reader"},
		},
		{
			// Only RBAC ids escape ':'; another kind's "__" is its name's.
			name: "other kind with __",
			id:   "_a__b_metrics.example.com_Sample",
			want: ObjectRef{Group: "metrics.example.com", Version: "v1", Kind: "Sample", Name: "a__b"},
		},
		{
			name: "core Role lookalike in another group",
			id:   "ns_a__b_example.com_Role",
			want: ObjectRef{Group: "example.com", Version: "v1", Kind: "Role", Namespace: "ns", Name: "a__b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseID(tt.id, "v1")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseID(%q) = %+v, want %+v", tt.id, got, tt.want)
			}
			if again := got.ID(); again != tt.id {
				t.Errorf("ID() = %q, want %q back", again, tt.id)
			}
		})
	}
}

func TestParseIDRefusesMalformedIDs(t *testing.T) {
	for _, id := range []string{
		"",
		"web",
		"ns_web",
		"ns_web_ConfigMap", // a field short
		"ns_web__",         // no kind
		"ns___ConfigMap",   // no name
	} {
		if ref, err := ParseID(id, "v1"); err == nil {
			t.Errorf("ParseID(%q) = %+v, want an error", id, ref)
		}
	}
}

// Every object a Kubernetes API server accepts round-trips, other than RBAC
// names holding "__" or "_:" (ambiguous in Flux's format).
func TestIDRoundTrips(t *testing.T) {
	refs := []ObjectRef{
		{Version: "v1", Kind: "Secret", Namespace: "a-b", Name: "x.y-z"},
		{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress", Namespace: "n", Name: "i"},
		{Group: rbacGroup, Version: "v1", Kind: "ClusterRole", Name: "a:b:c"},
		{Group: rbacGroup, Version: "v1", Kind: "ClusterRole", Name: ":leading:and:trailing:"},
		{Group: rbacGroup, Version: "v1", Kind: "Role", Namespace: "n", Name: "under_score"},
		{Group: rbacGroup, Version: "v1", Kind: "RoleBinding", Namespace: "n", Name: "a_b:c"},
		{Group: rbacGroup, Version: "v1", Kind: "ClusterRoleBinding", Name: "odd~name@with+chars"},
	}
	for _, ref := range refs {
		got, err := ParseID(ref.ID(), ref.Version)
		if err != nil {
			t.Errorf("%s: %v", ref, err)
			continue
		}
		if got != ref {
			t.Errorf("ParseID(%q) = %+v, want %+v", ref.ID(), got, ref)
		}
	}
}
