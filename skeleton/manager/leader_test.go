package manager

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/fluxcd/pkg/runtime/leaderelection"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/testkit"
)

// The lease is named as Flux names it, so a Tide controller and its Flux
// twin never lead at once, and two shards never share one lease.
func TestLeaderElectionID(t *testing.T) {
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])[:8]
	}
	tests := []struct {
		selector string
		want     string
	}{
		{"", "kustomize-controller-leader-election"},
		{"sharding.fluxcd.io/key=shard1", "kustomize-controller-leader-election-" + hash("sharding.fluxcd.io/key=shard1")},
		{"sharding.fluxcd.io/key=shard2", "kustomize-controller-leader-election-" + hash("sharding.fluxcd.io/key=shard2")},
		{"!sharding.fluxcd.io/key", "kustomize-controller-leader-election-" + hash("!sharding.fluxcd.io/key")},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		o := Options{Name: "kustomize-controller"}
		o.Watch.LabelSelector = tt.selector
		got := o.LeaderElectionID()
		if got != tt.want {
			t.Errorf("selector %q: lease %q, want %q", tt.selector, got, tt.want)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("selectors %q and %q share the lease %q", other, tt.selector, got)
		}
		seen[got] = tt.selector
	}
}

// Two shards of one controller, each with leader election, both lead: each
// holds the lease of its own selector, under the name Flux would give it.
func TestShardsHoldTheirOwnLease(t *testing.T) {
	cp, err := testkit.StartControlPlane()
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Stop()
	ns := testkit.NewNamespace(t, cp.Client)
	t.Setenv("RUNTIME_NAMESPACE", ns)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	for _, shard := range []string{"sharding.fluxcd.io/key=shard1", "sharding.fluxcd.io/key=shard2"} {
		o := Options{Name: "kustomize-controller", MetricsAddr: "0", HealthAddr: "0"}
		o.Watch.AllNamespaces = true
		o.Watch.LabelSelector = shard
		o.LeaderElection = leaderelection.Options{Enable: true, ReleaseOnCancel: true,
			LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: time.Second}
		mgr, err := New(cp.Config, o, cp.Scheme)
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = mgr.Start(ctx) }()
		// An election takes a few apiserver round trips: a loaded CI
		// machine may need far more than the retry period.
		NewWithT(t).Eventually(mgr.Elected(), testkit.Timeout).Should(BeClosed(),
			"shard %q is not elected: another shard holds its lease", shard)
		lease := &coordinationv1.Lease{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: o.LeaderElectionID()}, lease); err != nil {
			t.Errorf("shard %q: lease %s: %v", shard, o.LeaderElectionID(), err)
		}
	}
}
