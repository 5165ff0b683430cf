package manager

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
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
