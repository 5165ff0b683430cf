package ssa

import (
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/testkit"
)

// A service account that may manage Roles and RoleBindings but not bind
// what does not exist applies a Role and a RoleBinding to it. The
// apiserver checks the binding against the Role, so in one stage the
// RoleBinding is refused and nothing is applied; with Role in
// --custom-apply-stage-kinds the Role is applied first and both are.
func TestCustomStageKinds(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	for _, obj := range []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: rbac-applier, namespace: %[1]s}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [get, list, watch, create, update, patch]}
- {apiGroups: [""], resources: [configmaps], verbs: [get, list, create, update, patch]}
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rbac-applier, namespace: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: rbac-applier}
subjects: [{kind: ServiceAccount, name: applier, namespace: %[1]s}]
`} {
		if err := cp.Client.Create(t.Context(), object(t, obj, ns)); err != nil {
			t.Fatal(err)
		}
	}
	cfg := rest.CopyConfig(cp.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: "system:serviceaccount:" + ns + ":applier"}
	c, err := client.New(cfg, client.Options{Scheme: cp.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	// The account may apply ConfigMaps once the authorizer has seen its binding.
	probe := configMap(t, ns, "probe", "{a: '1'}")
	NewWithT(t).Eventually(func() error {
		_, err := (&Manager{Client: c, Owner: owner}).Apply(t.Context(), []*unstructured.Unstructured{probe}, ApplyOptions{})
		return err
	}, testkit.Timeout, 100*time.Millisecond).Should(Succeed())

	role := object(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: %s}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
`, ns)
	binding := object(t, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: app, namespace: %[1]s}]
`, ns)

	oneStage := &Manager{Client: c, Owner: owner}
	_, err = oneStage.Apply(t.Context(), []*unstructured.Unstructured{binding, role}, ApplyOptions{})
	if err == nil || !strings.Contains(err.Error(), "RoleBinding/"+ns+"/reader") {
		t.Fatalf("without the custom stage: err = %v, want the RoleBinding rejected", err)
	}
	if live(t, role) != nil {
		t.Fatal("without the custom stage the Role was applied although the set was rejected")
	}

	staged := &Manager{Client: c, Owner: owner,
		CustomStageKinds: map[schema.GroupKind]bool{{Group: "rbac.authorization.k8s.io", Kind: "Role"}: true}}
	cs, err := staged.Apply(t.Context(), []*unstructured.Unstructured{binding, role}, ApplyOptions{})
	if err != nil {
		t.Fatalf("with Role in the custom stage: %v", err)
	}
	if got := strings.Join(lines(cs), "; "); !strings.Contains(got, "RoleBinding/"+ns+"/reader created") ||
		!strings.Contains(got, "Role/"+ns+"/reader created") {
		t.Errorf("change set = %s, want both created", got)
	}
	// Nothing to change: everything is validated up front, and unchanged.
	if cs := apply(t, staged, ApplyOptions{}, binding, role); cs.Changed() {
		t.Errorf("second apply: %q, want unchanged", lines(cs))
	}
}
