package gitrepository

import (
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

func TestReconcileAuth(t *testing.T) {
	srv := testkit.StartGitServer(t, testkit.WithBasicAuth("git", "pa55word"), testkit.WithBearerToken("t0ken"), testkit.WithSSH())
	head := srv.NewRepo(t, "private").Write("a.yaml", "a: 1\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)

	tests := []struct {
		name   string
		url    string
		secret map[string][]byte
	}{
		{"https basic auth", srv.HTTPURL("private"), map[string][]byte{"username": []byte("git"), "password": []byte("pa55word")}},
		{"https bearer token", srv.HTTPURL("private"), map[string][]byte{"bearerToken": []byte("t0ken")}},
		{"ssh identity and known_hosts", srv.SSHURL("private"), map[string][]byte{"identity": srv.ClientKey(), "known_hosts": srv.KnownHosts()}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "auth-" + string(rune('a'+i))
			createSecret(t, ns, name, tt.secret)
			obj := newGitRepository(ns, tt.url, func(o *sourcev1.GitRepository) {
				o.Spec.SecretRef = &meta.LocalObjectReference{Name: name}
			})
			create(t, obj)
			waitReady(t, obj)
			if !strings.HasSuffix(obj.Status.Artifact.Revision, head) {
				t.Errorf("revision = %q, want master@sha1:%s", obj.Status.Artifact.Revision, head)
			}
		})
	}
}
