package release

import (
	"context"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/tidegitops/tide/clusterkit/access"
)

// The Getters of one cluster share its discovered API whoever they act
// as, each with its own identity; an Unshared one (persistentClient:
// false) discovers the API anew.
func TestGettersShareTheAPIOfTheirCluster(t *testing.T) {
	ctx := context.Background()
	local := &rest.Config{Host: "https://127.0.0.1:6443", BearerToken: "controller"}
	clusters := NewClusters(local, nil, "", access.KubeConfigOptions{})
	controller, err := clusters.For(ctx, access.Target{Namespace: "apps"})
	if err != nil {
		t.Fatal(err)
	}
	deployer, err := clusters.For(ctx, access.Target{Namespace: "apps", ServiceAccountName: "deployer"})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := clusters.For(ctx, access.Target{Namespace: "apps", ServiceAccountName: "deployer"})
	if again != deployer {
		t.Error("the Getter of an identity is built again instead of kept")
	}
	cfg, _ := deployer.ToRESTConfig()
	if cfg.Impersonate.UserName != "system:serviceaccount:apps:deployer" {
		t.Errorf("impersonates %q", cfg.Impersonate.UserName)
	}
	if cfg, _ := controller.ToRESTConfig(); cfg.Impersonate.UserName != "" {
		t.Errorf("the controller's Getter impersonates %q", cfg.Impersonate.UserName)
	}
	if deployer.api != controller.api {
		t.Error("the impersonating Getter discovers the API again")
	}
	fresh := deployer.Unshared()
	if fresh.api == deployer.api {
		t.Error("an Unshared Getter shares the API cache")
	}
	if cfg, _ := fresh.ToRESTConfig(); cfg.Impersonate.UserName != "system:serviceaccount:apps:deployer" {
		t.Errorf("an Unshared Getter acts as %q", cfg.Impersonate.UserName)
	}
}
