package gitrepository

import (
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/testkit"
)

// --ssh-kex-algos and --ssh-hostkey-algos reach every SSH connection: with
// lists the server supports the repository is fetched; with only an
// algorithm the server lacks the GitRepository is not Ready, and the
// message names the flag to fix. The test server has Go's default key
// exchanges and an RSA host key.
func TestSSHAlgorithmFlags(t *testing.T) {
	srv := testkit.StartGitServer(t, testkit.WithSSH())
	srv.NewRepo(t, "app").Write("a.yaml", "a: 1\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)
	createSecret(t, ns, "ssh", map[string][]byte{"identity": srv.ClientKey(), "known_hosts": srv.KnownHosts()})

	tests := []struct {
		shard  string
		algos  gitclient.SSHAlgorithms
		reason string // "" is Ready
		want   string
	}{
		{"ssh-supported", gitclient.SSHAlgorithms{
			KeyExchanges: []string{"curve25519-sha256"}, HostKeys: []string{"rsa-sha2-512"}}, "", ""},
		{"ssh-kex-lacking", gitclient.SSHAlgorithms{KeyExchanges: []string{"diffie-hellman-group1-sha1"}},
			sourcev1.GitOperationFailedReason, "check its --ssh-kex-algos"},
		{"ssh-hostkey-lacking", gitclient.SSHAlgorithms{HostKeys: []string{"ssh-ed25519"}},
			sourcev1.AuthenticationFailedReason, "--ssh-hostkey-algos"},
	}
	for _, tt := range tests {
		t.Run(tt.shard, func(t *testing.T) {
			startShard(t, tt.shard, &Reconciler{SSHAlgorithms: tt.algos})
			obj := newGitRepository(ns, srv.SSHURL("app"), inShard(tt.shard), func(o *sourcev1.GitRepository) {
				o.Spec.SecretRef = &meta.LocalObjectReference{Name: "ssh"}
			})
			create(t, obj)
			if tt.reason == "" {
				waitReady(t, obj)
				return
			}
			cond := waitNotReady(t, obj, tt.reason)
			if !strings.Contains(cond.Message, tt.want) {
				t.Errorf("Ready message = %q, want it to contain %q", cond.Message, tt.want)
			}
			t.Logf("Ready=False %s: %s", cond.Reason, cond.Message)
		})
	}
}
