package gitrepository

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"golang.org/x/crypto/ssh"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

func TestReconcileSparseCheckout(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "sparse").WriteFiles(map[string]string{
		"apps/app.yaml":      "app\n",
		"apps/web/web.yaml":  "web\n",
		"apps2/other.yaml":   "other\n",
		"infra/db.yaml":      "db\n",
		"README.md":          "readme\n",
		"infra/apps/x.yaml":  "x\n",
		"infra/.placeholder": "\n",
	}).Commit("content")
	ns := testkit.NewNamespace(t, env.CP.Client)

	obj := newGitRepository(ns, srv.HTTPURL("sparse"), func(o *sourcev1.GitRepository) {
		o.Spec.SparseCheckout = []string{"apps"}
	})
	create(t, obj)
	waitReady(t, obj)
	files := tarFiles(t, download(t, obj.Status.Artifact))
	if got, want := slices.Sorted(maps.Keys(files)), []string{"apps/app.yaml", "apps/web/web.yaml"}; !slices.Equal(got, want) {
		t.Errorf("artifact files = %v, want %v", got, want)
	}
	if !slices.Equal(obj.Status.ObservedSparseCheckout, []string{"apps"}) {
		t.Errorf("status.observedSparseCheckout = %v, want [apps]", obj.Status.ObservedSparseCheckout)
	}
	sparseDigest := obj.Status.Artifact.Digest

	// Dropping the sparse checkout rebuilds the artifact for the same commit.
	updateSpec(t, obj, func(o *sourcev1.GitRepository) { o.Spec.SparseCheckout = nil })
	waitReady(t, obj)
	files = tarFiles(t, download(t, obj.Status.Artifact))
	for _, p := range []string{"apps/app.yaml", "apps2/other.yaml", "infra/db.yaml", "README.md"} {
		if _, ok := files[p]; !ok {
			t.Errorf("%s missing from the artifact after removing spec.sparseCheckout; files = %v", p, slices.Sorted(maps.Keys(files)))
		}
	}
	if obj.Status.Artifact.Digest == sparseDigest {
		t.Errorf("artifact digest unchanged after removing spec.sparseCheckout")
	}
	if len(obj.Status.ObservedSparseCheckout) != 0 {
		t.Errorf("status.observedSparseCheckout = %v, want empty", obj.Status.ObservedSparseCheckout)
	}
}

func TestReconcileRecurseSubmodules(t *testing.T) {
	srv := testkit.StartGitServer(t)
	lib := srv.NewRepo(t, "lib")
	pinned := lib.Write("lib.txt", "pinned\n").Commit("lib one")
	lib.Write("lib.txt", "newer\n").Commit("lib two") // the pinned commit is not the tip
	srv.NewRepo(t, "main").Write("main.txt", "main\n").Commit("main one")

	w := testkit.CloneWork(t, srv.HTTPURL("main"))
	w.AddSubmodule("lib", "vendor/lib", srv.HTTPURL("lib"), pinned)
	head := w.Commit("add submodule", nil, nil)
	w.Push()
	ns := testkit.NewNamespace(t, env.CP.Client)

	for _, recurse := range []bool{true, false} {
		name := "without"
		if recurse {
			name = "with"
		}
		t.Run(name+" recurseSubmodules", func(t *testing.T) {
			obj := newGitRepository(ns, srv.HTTPURL("main"), func(o *sourcev1.GitRepository) { o.Spec.RecurseSubmodules = recurse })
			create(t, obj)
			waitReady(t, obj)
			if obj.Status.Artifact.Revision != "master@sha1:"+head {
				t.Errorf("revision = %q, want master@sha1:%s", obj.Status.Artifact.Revision, head)
			}
			files := tarFiles(t, download(t, obj.Status.Artifact))
			if files["main.txt"] != "main\n" {
				t.Errorf("main.txt = %q; files = %v", files["main.txt"], slices.Sorted(maps.Keys(files)))
			}
			got, ok := files["vendor/lib/lib.txt"]
			switch {
			case recurse && got != "pinned\n":
				t.Errorf("vendor/lib/lib.txt = %q (present %v), want the pinned commit's content; files = %v", got, ok, slices.Sorted(maps.Keys(files)))
			case !recurse && ok:
				t.Errorf("submodule content in the artifact without recurseSubmodules; files = %v", slices.Sorted(maps.Keys(files)))
			}
			if obj.Status.ObservedRecurseSubmodules != recurse {
				t.Errorf("status.observedRecurseSubmodules = %v, want %v", obj.Status.ObservedRecurseSubmodules, recurse)
			}
		})
	}
}

func TestReconcileHTTPS(t *testing.T) {
	srv := testkit.StartGitServer(t)
	head := srv.NewRepo(t, "app").Write("a.yaml", "a: 1\n").Commit("one")
	p := testkit.NewPKI(t)
	tlsURL := testkit.HTTPSFront(t, srv.HTTPURL("app"), p, false)
	mtlsURL := testkit.HTTPSFront(t, srv.HTTPURL("app"), p, true)
	ns := testkit.NewNamespace(t, env.CP.Client)
	const password = "Https-Secret-Pass-77" // the server ignores it; it must not show anywhere

	tests := []struct {
		name       string
		url        string
		secret     map[string][]byte
		wantReason string // empty: Ready
		wantHint   string
	}{
		{"custom CA", tlsURL, map[string][]byte{"ca.crt": p.CA}, "", ""},
		{"custom CA and basic auth", tlsURL,
			map[string][]byte{"ca.crt": p.CA, "username": []byte("git"), "password": []byte(password)}, "", ""},
		{"mTLS", mtlsURL, map[string][]byte{"ca.crt": p.CA, "tls.crt": p.ClientCert, "tls.key": p.ClientKey}, "", ""},
		{"CA unknown", tlsURL, map[string][]byte{"username": []byte("git"), "password": []byte(password)},
			sourcev1.AuthenticationFailedReason, "'ca.crt'"},
		{"mTLS without client certificate", mtlsURL, map[string][]byte{"ca.crt": p.CA},
			sourcev1.AuthenticationFailedReason, "'tls.crt'"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "tls-" + string(rune('a'+i))
			createSecret(t, ns, name, tt.secret)
			obj := newGitRepository(ns, tt.url, func(o *sourcev1.GitRepository) {
				o.Spec.SecretRef = &meta.LocalObjectReference{Name: name}
			})
			create(t, obj)
			if tt.wantReason == "" {
				waitReady(t, obj)
				if obj.Status.Artifact.Revision != "master@sha1:"+head {
					t.Errorf("revision = %q, want master@sha1:%s", obj.Status.Artifact.Revision, head)
				}
				if got := tarFiles(t, download(t, obj.Status.Artifact))["a.yaml"]; got != "a: 1\n" {
					t.Errorf("a.yaml = %q", got)
				}
				return
			}
			testkit.WaitForCondition(t, env.CP.Client, obj, meta.ReadyCondition, "False", "")
			ready := conditions.Get(obj, meta.ReadyCondition)
			t.Logf("Ready=False reason=%q message=%q", ready.Reason, ready.Message)
			if ready.Reason == "" || ready.Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q", ready.Reason, tt.wantReason)
			}
			if !strings.Contains(ready.Message, tt.wantHint) {
				t.Errorf("message %q does not name %s", ready.Message, tt.wantHint)
			}
			for _, c := range obj.Status.Conditions {
				for _, secret := range []string{password, "BEGIN CERTIFICATE", "PRIVATE KEY"} {
					if strings.Contains(c.Message, secret) {
						t.Errorf("condition %s leaks %q: %q", c.Type, secret, c.Message)
					}
				}
			}
			if obj.Status.Artifact != nil {
				t.Errorf("an artifact was stored from an untrusted server: %+v", obj.Status.Artifact)
			}
		})
	}
}

func TestReconcileProxy(t *testing.T) {
	srv := testkit.StartGitServer(t)
	head := srv.NewRepo(t, "app").Write("a.yaml", "a: 1\n").Commit("one")
	addr, count := testkit.StartProxy(t, "proxyuser", "proxy-pass-value")
	ns := testkit.NewNamespace(t, env.CP.Client)

	t.Run("through the proxy", func(t *testing.T) {
		createSecret(t, ns, "proxy", map[string][]byte{
			"address": []byte(addr), "username": []byte("proxyuser"), "password": []byte("proxy-pass-value"),
		})
		before := count()
		obj := newGitRepository(ns, srv.HTTPURL("app"), func(o *sourcev1.GitRepository) {
			o.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: "proxy"}
		})
		create(t, obj)
		waitReady(t, obj)
		if obj.Status.Artifact.Revision != "master@sha1:"+head {
			t.Errorf("revision = %q, want master@sha1:%s", obj.Status.Artifact.Revision, head)
		}
		download(t, obj.Status.Artifact)
		// A ref advertisement and a clone: at least the list and the fetch.
		if n := count() - before; n < 2 {
			t.Errorf("proxy forwarded %d requests, want the ref list and the fetch (2+)", n)
		}
	})

	t.Run("proxy secret without address", func(t *testing.T) {
		createSecret(t, ns, "proxy-no-address", map[string][]byte{
			"username": []byte("proxyuser"), "password": []byte("proxy-pass-value"),
		})
		obj := newGitRepository(ns, srv.HTTPURL("app"), func(o *sourcev1.GitRepository) {
			o.Spec.ProxySecretRef = &meta.LocalObjectReference{Name: "proxy-no-address"}
		})
		create(t, obj)
		ready := waitNotReady(t, obj, sourcev1.AuthenticationFailedReason)
		t.Logf("Ready=False reason=%q message=%q", ready.Reason, ready.Message)
		if !strings.Contains(ready.Message, "'address'") {
			t.Errorf("message %q does not name the 'address' key", ready.Message)
		}
		if strings.Contains(ready.Message, "proxy-pass-value") {
			t.Errorf("message leaks the proxy password: %q", ready.Message)
		}
		if !conditions.IsStalled(obj) {
			t.Errorf("Stalled is not True: %+v", obj.Status.Conditions)
		}
		if obj.Status.Artifact != nil {
			t.Errorf("artifact stored without the proxy: %+v", obj.Status.Artifact)
		}
	})
}

func TestReconcileVerifyTag(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "tagged")
	commit := repo.Write("a.yaml", "a: 1\n").Commit("release") // unsigned commit
	key, publicKey := testkit.NewPGPKey(t, "release")
	other, _ := testkit.NewPGPKey(t, "other")
	w := testkit.CloneWork(t, srv.HTTPURL("tagged"))
	w.Tag("v1.0.0", "signed release", key)
	w.Tag("v1.0.1", "release signed by an untrusted key", other)
	w.Tag("v1.0.2", "unsigned release", nil)
	w.Push()
	ns := testkit.NewNamespace(t, env.CP.Client)
	createSecret(t, ns, "trusted", map[string][]byte{"release.asc": publicKey})
	verifyTag := func(ref sourcev1.GitRepositoryRef) func(*sourcev1.GitRepository) {
		return func(o *sourcev1.GitRepository) {
			o.Spec.Reference = &ref
			o.Spec.Verification = &sourcev1.GitRepositoryVerification{
				Mode: sourcev1.ModeGitTag, SecretRef: meta.LocalObjectReference{Name: "trusted"},
			}
		}
	}

	t.Run("signed tag", func(t *testing.T) {
		obj := newGitRepository(ns, srv.HTTPURL("tagged"), verifyTag(sourcev1.GitRepositoryRef{Tag: "v1.0.0"}))
		create(t, obj)
		waitReady(t, obj)
		if obj.Status.Artifact.Revision != "v1.0.0@sha1:"+commit {
			t.Errorf("revision = %q, want v1.0.0@sha1:%s", obj.Status.Artifact.Revision, commit)
		}
		verified := conditions.Get(obj, sourcev1.SourceVerifiedCondition)
		if verified == nil || verified.Status != "True" {
			t.Fatalf("SourceVerified = %+v, want True", verified)
		}
		t.Logf("SourceVerified message: %q", verified.Message)
		if !strings.Contains(verified.Message, "tag signed with key") || strings.Contains(verified.Message, "commit '") {
			t.Errorf("SourceVerified message %q, want the tag (only) verified", verified.Message)
		}
		if m := obj.Status.SourceVerificationMode; m == nil || *m != sourcev1.ModeGitTag {
			t.Errorf("status.sourceVerificationMode = %v, want Tag", m)
		}
		download(t, obj.Status.Artifact)
	})

	for _, tt := range []struct{ name, tag string }{
		{"tag signed by an untrusted key", "v1.0.1"},
		{"unsigned annotated tag", "v1.0.2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			obj := newGitRepository(ns, srv.HTTPURL("tagged"), verifyTag(sourcev1.GitRepositoryRef{Tag: tt.tag}))
			create(t, obj)
			ready := waitNotReady(t, obj, sourcev1.VerificationError)
			t.Logf("message: %q", ready.Message)
			if c := conditions.Get(obj, sourcev1.SourceVerifiedCondition); c == nil || c.Status != "False" {
				t.Errorf("SourceVerified = %+v, want False", c)
			}
			if obj.Status.Artifact != nil {
				t.Errorf("artifact stored for an unverified tag: %+v", obj.Status.Artifact)
			}
		})
	}

	t.Run("mode Tag with a branch ref", func(t *testing.T) {
		obj := newGitRepository(ns, srv.HTTPURL("tagged"), verifyTag(sourcev1.GitRepositoryRef{Branch: "master"}))
		create(t, obj)
		ready := waitNotReady(t, obj, sourcev1.VerificationError)
		t.Logf("message: %q", ready.Message)
		if !strings.Contains(ready.Message, "spec.ref.tag") {
			t.Errorf("message %q does not mention spec.ref.tag", ready.Message)
		}
		if !conditions.IsStalled(obj) {
			t.Errorf("Stalled is not True: %+v", obj.Status.Conditions)
		}
		if obj.Status.Artifact != nil {
			t.Errorf("artifact stored without a verified tag: %+v", obj.Status.Artifact)
		}
	})
}

func TestReconcileVerifySSHSignedCommit(t *testing.T) {
	srv := testkit.StartGitServer(t)
	srv.NewRepo(t, "ssh-signed").Write("a.yaml", "a: 0\n").Commit("unsigned base")
	signer, authorizedKey := testkit.NewSSHKey(t)
	otherSigner, otherKey := testkit.NewSSHKey(t)
	w := testkit.CloneWork(t, srv.HTTPURL("ssh-signed"))
	signed := w.Write("a.yaml", "a: 1\n").Commit("ssh signed", nil, testkit.SSHSigner{Signer: signer})
	w.Push()
	ns := testkit.NewNamespace(t, env.CP.Client)
	// The trusted key sits among another one, as several keys of a team would.
	createSecret(t, ns, "ssh-keys", map[string][]byte{"dev.sshpub": append(otherKey, authorizedKey...)})

	obj := newGitRepository(ns, srv.HTTPURL("ssh-signed"), func(o *sourcev1.GitRepository) {
		o.Spec.Verification = &sourcev1.GitRepositoryVerification{SecretRef: meta.LocalObjectReference{Name: "ssh-keys"}}
	})
	create(t, obj)
	waitReady(t, obj)
	if obj.Status.Artifact.Revision != "master@sha1:"+signed {
		t.Errorf("revision = %q, want master@sha1:%s", obj.Status.Artifact.Revision, signed)
	}
	verified := conditions.Get(obj, sourcev1.SourceVerifiedCondition)
	if verified == nil || verified.Status != "True" {
		t.Fatalf("SourceVerified = %+v, want True", verified)
	}
	if fp := ssh.FingerprintSHA256(signer.PublicKey()); !strings.Contains(verified.Message, fp) {
		t.Errorf("SourceVerified message %q does not name the signing key %s", verified.Message, fp)
	}
	if m := obj.Status.SourceVerificationMode; m == nil || *m != sourcev1.ModeGitHEAD {
		t.Errorf("status.sourceVerificationMode = %v, want HEAD", m)
	}
	if got := tarFiles(t, download(t, obj.Status.Artifact))["a.yaml"]; got != "a: 1\n" {
		t.Errorf("a.yaml = %q", got)
	}
	good := *obj.Status.Artifact

	// A commit signed by a key that is not trusted is refused.
	trusted := map[string][]byte{"dev.sshpub": authorizedKey}
	updateSecret(t, ns, "ssh-keys", trusted)
	w.Write("a.yaml", "a: evil\n").Commit("signed by someone else", nil, testkit.SSHSigner{Signer: otherSigner})
	w.Push()
	requestReconcileNoWait(t, obj)
	ready := waitNotReady(t, obj, sourcev1.VerificationError)
	t.Logf("message: %q", ready.Message)
	if !sameArtifact(obj.Status.Artifact, &good) {
		t.Errorf("an untrusted commit replaced the artifact: %+v", obj.Status.Artifact)
	}
}
