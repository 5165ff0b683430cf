package gitrepository

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// Every failure a user can cause ends in Ready=False with a reason, a message
// saying what to do, and an event; the last good artifact stays served and
// no secret value shows anywhere.
func TestReconcileBadInput(t *testing.T) {
	srv := testkit.StartGitServer(t, testkit.WithBasicAuth("git", "pa55word"), testkit.WithSSH())
	srv.NewRepo(t, "fleet").Write("a.yaml", "a: 1\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)
	httpSecret := map[string][]byte{"username": []byte("git"), "password": []byte("pa55word")}
	sshSecret := map[string][]byte{"identity": srv.ClientKey(), "known_hosts": srv.KnownHosts()}

	tests := []struct {
		name       string
		ssh        bool
		breakIt    func(t *testing.T, obj *sourcev1.GitRepository, secret string)
		wantReason string
		wantHint   string // a part of the message telling the user what to do
		stalled    bool
	}{
		{"unreachable host", false, func(t *testing.T, obj *sourcev1.GitRepository, _ string) {
			updateSpec(t, obj, func(o *sourcev1.GitRepository) { o.Spec.URL = testkit.UnreachableURL(t) })
		}, sourcev1.GitOperationFailedReason, "check spec.url", false},
		{"wrong credentials", false, func(t *testing.T, obj *sourcev1.GitRepository, secret string) {
			updateSecret(t, obj.Namespace, secret, map[string][]byte{"username": []byte("git"), "password": []byte("wr0ngpass")})
		}, sourcev1.AuthenticationFailedReason, "check the credentials", false},
		{"secret missing", false, func(t *testing.T, obj *sourcev1.GitRepository, _ string) {
			updateSpec(t, obj, func(o *sourcev1.GitRepository) { o.Spec.SecretRef = &meta.LocalObjectReference{Name: "nope"} })
		}, sourcev1.AuthenticationFailedReason, "create it", true},
		{"secret missing a key", false, func(t *testing.T, obj *sourcev1.GitRepository, secret string) {
			updateSecret(t, obj.Namespace, secret, map[string][]byte{"username": []byte("git")})
		}, sourcev1.AuthenticationFailedReason, "'password'", true},
		{"unknown branch", false, func(t *testing.T, obj *sourcev1.GitRepository, _ string) {
			setRef(t, obj, sourcev1.GitRepositoryRef{Branch: "nope"})
		}, sourcev1.GitOperationFailedReason, "fix spec.ref", false},
		{"unknown tag", false, func(t *testing.T, obj *sourcev1.GitRepository, _ string) {
			setRef(t, obj, sourcev1.GitRepositoryRef{Tag: "v9.9.9"})
		}, sourcev1.GitOperationFailedReason, "fix spec.ref", false},
		{"unknown commit", false, func(t *testing.T, obj *sourcev1.GitRepository, _ string) {
			setRef(t, obj, sourcev1.GitRepositoryRef{Branch: "master", Commit: strings.Repeat("ab", 20)})
		}, sourcev1.GitOperationFailedReason, "fix spec.ref", false},
		{"semver range with no match", false, func(t *testing.T, obj *sourcev1.GitRepository, _ string) {
			setRef(t, obj, sourcev1.GitRepositoryRef{SemVer: ">=5.0.0"})
		}, sourcev1.GitOperationFailedReason, "fix spec.ref", false},
		{"invalid known_hosts", true, func(t *testing.T, obj *sourcev1.GitRepository, secret string) {
			updateSecret(t, obj.Namespace, secret, map[string][]byte{"identity": srv.ClientKey(), "known_hosts": []byte("not a host key line")})
		}, sourcev1.AuthenticationFailedReason, "known_hosts", true},
		{"include of a missing GitRepository", false, func(t *testing.T, obj *sourcev1.GitRepository, _ string) {
			updateSpec(t, obj, func(o *sourcev1.GitRepository) {
				o.Spec.Include = []sourcev1.GitRepositoryInclude{{GitRepositoryRef: meta.LocalObjectReference{Name: "missing"}}}
			})
		}, "NotFound", "create it", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := "bad-" + string(rune('a'+i))
			url, data := srv.HTTPURL("fleet"), httpSecret
			if tt.ssh {
				url, data = srv.SSHURL("fleet"), sshSecret
			}
			createSecret(t, ns, secret, data)
			obj := newGitRepository(ns, url, func(o *sourcev1.GitRepository) { o.Spec.SecretRef = &meta.LocalObjectReference{Name: secret} })
			create(t, obj)
			waitReady(t, obj)
			good := *obj.Status.Artifact

			tt.breakIt(t, obj, secret)
			ready := waitNotReady(t, obj, tt.wantReason)

			if !strings.Contains(ready.Message, tt.wantHint) {
				t.Errorf("message %q does not tell the user what to do (want %q in it)", ready.Message, tt.wantHint)
			}
			for _, secretValue := range []string{"pa55word", "wr0ngpass", "BEGIN OPENSSH"} {
				if strings.Contains(ready.Message, secretValue) {
					t.Errorf("message leaks a secret: %q", ready.Message)
				}
			}
			if conditions.IsStalled(obj) != tt.stalled {
				t.Errorf("Stalled = %v, want %v", conditions.IsStalled(obj), tt.stalled)
			}
			if !sameArtifact(obj.Status.Artifact, &good) {
				t.Errorf("status.artifact changed after a failure: %+v, want %+v", obj.Status.Artifact, good)
			}
			download(t, &good) // the last good artifact is still served
			waitEventReason(t, obj, tt.wantReason)
		})
	}
}

func TestReconcileStorageNotWritable(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "fleet").Write("a.yaml", "a\n").Commit("first")
	ns := testkit.NewNamespace(t, env.CP.Client)
	// The object's storage folder cannot be created: a file stands in its way.
	blocker := filepath.Join(env.Root, "gitrepository", ns)
	if err := os.MkdirAll(filepath.Dir(blocker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blocker, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	obj := newGitRepository(ns, srv.HTTPURL("fleet"))
	create(t, obj)
	ready := waitNotReady(t, obj, sourcev1.ArchiveOperationFailedReason)
	if !strings.Contains(ready.Message, "--storage-path") {
		t.Errorf("message %q does not point at the storage", ready.Message)
	}
	if !conditions.IsTrue(obj, sourcev1.StorageOperationFailedCondition) {
		t.Errorf("StorageOperationFailed not True: %+v", obj.Status.Conditions)
	}
}

func updateSpec(t *testing.T, obj *sourcev1.GitRepository, mutate func(*sourcev1.GitRepository)) {
	t.Helper()
	patch := client.MergeFrom(obj.DeepCopy())
	mutate(obj)
	if err := env.CP.Client.Patch(context.Background(), obj, patch); err != nil {
		t.Fatal(err)
	}
}

func setRef(t *testing.T, obj *sourcev1.GitRepository, ref sourcev1.GitRepositoryRef) {
	updateSpec(t, obj, func(o *sourcev1.GitRepository) { o.Spec.Reference = &ref })
}

func updateSecret(t *testing.T, ns, name string, data map[string][]byte) {
	t.Helper()
	secret := &corev1.Secret{}
	if err := env.CP.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, secret); err != nil {
		t.Fatal(err)
	}
	secret.Data = data
	if err := env.CP.Client.Update(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
}
