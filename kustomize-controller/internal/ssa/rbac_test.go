package ssa

import (
	"errors"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/testkit"
)

// A client impersonating a service account that may only handle ConfigMaps
// of one namespace: applying a Secret fails with the apiserver's forbidden
// message intact, not as a validation error, and nothing is applied.
func TestApplySurfacesForbidden(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	for _, obj := range []string{`
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: configmaps, namespace: %[1]s}
rules: [{apiGroups: [""], resources: [configmaps], verbs: ["*"]}]
`, `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: applier, namespace: %[1]s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: configmaps}
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
	m := &Manager{Client: c, Owner: owner}

	// The account may apply ConfigMaps (once the authorizer has seen the binding).
	allowed := configMap(t, ns, "allowed", "{a: '1'}")
	NewWithT(t).Eventually(func() error {
		_, err := m.Apply(t.Context(), []*unstructured.Unstructured{allowed}, ApplyOptions{})
		return err
	}, testkit.Timeout, 100*time.Millisecond).Should(Succeed())

	cm := configMap(t, ns, "app", "{a: '1'}")
	secret := object(t, "{apiVersion: v1, kind: Secret, metadata: {name: token, namespace: %s}, stringData: {t: x}}", ns)
	_, err = m.Apply(t.Context(), []*unstructured.Unstructured{cm, secret}, ApplyOptions{})
	if err == nil {
		t.Fatal("applying a Secret without RBAC for Secrets succeeded")
	}
	var invalid *InvalidError
	if errors.As(err, &invalid) {
		t.Errorf("forbidden reported as a validation error: %v", err)
	}
	for _, want := range []string{"Secret/" + ns + "/token", "forbidden", "system:serviceaccount:" + ns + ":applier"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if live(t, cm) != nil {
		t.Error("the ConfigMap was applied although the set failed")
	}
}
