package access

import (
	"context"
	"testing"

	"k8s.io/client-go/rest"
)

// --default-service-account is impersonated when an object names no
// service account, its own otherwise; each identity's connection is built
// once and shared.
func TestClustersImpersonate(t *testing.T) {
	ctx := context.Background()
	local := &rest.Config{Host: "https://127.0.0.1:6443"}
	built := 0
	c := New(local, nil, "fallback", func(cfg *rest.Config, remote bool) (string, error) {
		built++
		if remote {
			t.Error("a local target connects as remote")
		}
		return cfg.Impersonate.UserName, nil
	})
	for _, tt := range []struct {
		target       Target
		user, person string
	}{
		{Target{Namespace: "apps"}, "system:serviceaccount:apps:fallback", "service account 'apps/fallback'"},
		{Target{Namespace: "apps", ServiceAccountName: "deployer"}, "system:serviceaccount:apps:deployer", "service account 'apps/deployer'"},
		{Target{Namespace: "apps", ServiceAccountName: "deployer"}, "system:serviceaccount:apps:deployer", "service account 'apps/deployer'"},
	} {
		got, err := c.For(ctx, tt.target)
		if err != nil || got != tt.user {
			t.Errorf("For(%+v) acts as %q (%v), want %q", tt.target, got, err, tt.user)
		}
		if id := c.Identity(tt.target); id != tt.person {
			t.Errorf("Identity(%+v) = %q, want %q", tt.target, id, tt.person)
		}
	}
	if built != 2 {
		t.Errorf("%d connections built for two identities", built)
	}
	if me, _ := c.Controller(); me != "" {
		t.Errorf("the controller's connection impersonates %q", me)
	}
	if _, err := c.For(ctx, Target{Namespace: "apps", KubeConfig: &KubeConfigRef{ConfigMapName: "aks"}}); err == nil {
		t.Error("a configMapRef (cloud identity) is accepted")
	} else if kc, ok := err.(*KubeConfigError); !ok || !kc.Unsupported {
		t.Errorf("configMapRef: %v, want an unsupported KubeConfigError", err)
	}
}
