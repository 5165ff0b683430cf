package gitrepository

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/util"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/hiddeco/sshsig"
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
	ns := testkit.NewNamespace(t, env.cp.Client)

	obj := newGitRepository(ns, srv.HTTPURL("sparse"), func(o *sourcev1.GitRepository) {
		o.Spec.SparseCheckout = []string{"apps"}
	})
	create(t, obj)
	waitReady(t, obj)
	files := tarFiles(t, download(t, obj.Status.Artifact))
	if got, want := sortedKeys(files), []string{"apps/app.yaml", "apps/web/web.yaml"}; !slices.Equal(got, want) {
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
			t.Errorf("%s missing from the artifact after removing spec.sparseCheckout; files = %v", p, sortedKeys(files))
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

	w := cloneWork(t, srv.HTTPURL("main"))
	w.write(".gitmodules", "[submodule \"lib\"]\n\tpath = vendor/lib\n\turl = "+srv.HTTPURL("lib")+"\n")
	idx, err := w.repo.Storer.Index()
	if err != nil {
		t.Fatal(err)
	}
	idx.Entries = append(idx.Entries, &index.Entry{Name: "vendor/lib", Mode: filemode.Submodule, Hash: plumbing.NewHash(pinned)})
	if err := w.repo.Storer.SetIndex(idx); err != nil {
		t.Fatal(err)
	}
	head := w.commit("add submodule", nil, nil)
	w.push()
	ns := testkit.NewNamespace(t, env.cp.Client)

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
				t.Errorf("main.txt = %q; files = %v", files["main.txt"], sortedKeys(files))
			}
			got, ok := files["vendor/lib/lib.txt"]
			switch {
			case recurse && got != "pinned\n":
				t.Errorf("vendor/lib/lib.txt = %q (present %v), want the pinned commit's content; files = %v", got, ok, sortedKeys(files))
			case !recurse && ok:
				t.Errorf("submodule content in the artifact without recurseSubmodules; files = %v", sortedKeys(files))
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
	p := newTestPKI(t)
	tlsURL := startTLSFront(t, srv.HTTPURL("app"), p, false)
	mtlsURL := startTLSFront(t, srv.HTTPURL("app"), p, true)
	ns := testkit.NewNamespace(t, env.cp.Client)
	const password = "Https-Secret-Pass-77" // the server ignores it; it must not show anywhere

	tests := []struct {
		name       string
		url        string
		secret     map[string][]byte
		wantReason string // empty: Ready
		wantHint   string
	}{
		{"custom CA", tlsURL, map[string][]byte{"ca.crt": p.caPEM}, "", ""},
		{"custom CA and basic auth", tlsURL,
			map[string][]byte{"ca.crt": p.caPEM, "username": []byte("git"), "password": []byte(password)}, "", ""},
		{"mTLS", mtlsURL, map[string][]byte{"ca.crt": p.caPEM, "tls.crt": p.clientCert, "tls.key": p.clientKey}, "", ""},
		{"CA unknown", tlsURL, map[string][]byte{"username": []byte("git"), "password": []byte(password)},
			sourcev1.AuthenticationFailedReason, "'ca.crt'"},
		{"mTLS without client certificate", mtlsURL, map[string][]byte{"ca.crt": p.caPEM},
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
			testkit.WaitForCondition(t, env.cp.Client, obj, meta.ReadyCondition, "False", "")
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
	addr, count := startProxy(t, "proxyuser", "proxy-pass-value")
	ns := testkit.NewNamespace(t, env.cp.Client)

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
	w := cloneWork(t, srv.HTTPURL("tagged"))
	w.tag("v1.0.0", "signed release", key)
	w.tag("v1.0.1", "release signed by an untrusted key", other)
	w.tag("v1.0.2", "unsigned release", nil)
	w.push()
	ns := testkit.NewNamespace(t, env.cp.Client)
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
	signer, authorizedKey := newSSHKey(t)
	otherSigner, otherKey := newSSHKey(t)
	w := cloneWork(t, srv.HTTPURL("ssh-signed"))
	signed := w.write("a.yaml", "a: 1\n").commit("ssh signed", nil, sshSigner{signer})
	w.push()
	ns := testkit.NewNamespace(t, env.cp.Client)
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
	w.write("a.yaml", "a: evil\n").commit("signed by someone else", nil, sshSigner{otherSigner})
	w.push()
	requestReconcileNoWait(t, obj)
	ready := waitNotReady(t, obj, sourcev1.VerificationError)
	t.Logf("message: %q", ready.Message)
	if !sameArtifact(obj.Status.Artifact, &good) {
		t.Errorf("an untrusted commit replaced the artifact: %+v", obj.Status.Artifact)
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// The helpers below are small copies of gitclient's test helpers
// (helpers_test.go and tls_test.go), which live in another package.

// work is an in-memory clone of a test server repository, for what testkit's
// Repo does not do: SSH-signed commits, signed tags, submodule entries.
type work struct {
	t    *testing.T
	repo *gogit.Repository
	wt   *gogit.Worktree
	now  time.Time
}

func cloneWork(t *testing.T, url string) *work {
	t.Helper()
	repo, err := gogit.Clone(memory.NewStorage(), memfs.New(), &gogit.CloneOptions{URL: url})
	if err != nil {
		t.Fatalf("clone %s: %v", url, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &work{t: t, repo: repo, wt: wt, now: time.Now().Add(time.Hour).Truncate(time.Second)}
}

func (w *work) write(path, content string) *work {
	w.t.Helper()
	if err := util.WriteFile(w.wt.Filesystem, path, []byte(content), 0o644); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.wt.Add(path); err != nil {
		w.t.Fatal(err)
	}
	return w
}

func (w *work) sig() *object.Signature {
	w.now = w.now.Add(time.Second)
	return &object.Signature{Name: "Signer", Email: "signer@tide.invalid", When: w.now}
}

// commit commits the staged changes, signed with pgp or ssh when not nil.
func (w *work) commit(msg string, pgp *openpgp.Entity, signer gogit.Signer) string {
	w.t.Helper()
	h, err := w.wt.Commit(msg, &gogit.CommitOptions{
		Author: w.sig(), AllowEmptyCommits: true, SignKey: pgp, Signer: signer,
	})
	if err != nil {
		w.t.Fatalf("commit: %v", err)
	}
	return h.String()
}

// tag makes an annotated tag at HEAD, signed with pgp when not nil.
func (w *work) tag(name, msg string, pgp *openpgp.Entity) {
	w.t.Helper()
	head, err := w.repo.Head()
	if err != nil {
		w.t.Fatal(err)
	}
	opts := &gogit.CreateTagOptions{Tagger: w.sig(), Message: msg, SignKey: pgp}
	if _, err := w.repo.CreateTag(name, head.Hash(), opts); err != nil {
		w.t.Fatal(err)
	}
}

// push pushes branches and tags to origin.
func (w *work) push() {
	w.t.Helper()
	err := w.repo.Push(&gogit.PushOptions{RefSpecs: []config.RefSpec{"refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"}})
	if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
		w.t.Fatalf("push: %v", err)
	}
}

// sshSigner signs Git objects with an SSH key, as `git -c gpg.format=ssh`.
type sshSigner struct{ ssh.Signer }

func (s sshSigner) Sign(message io.Reader) ([]byte, error) {
	sig, err := sshsig.Sign(message, s.Signer, sshsig.HashSHA512, "git")
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}

// newSSHKey makes an ed25519 key: a signer and its authorized_keys line.
func newSSHKey(t *testing.T) (ssh.Signer, []byte) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, ssh.MarshalAuthorizedKey(s.PublicKey())
}

type testPKI struct {
	caPEM                 []byte
	pool                  *x509.CertPool
	serverCert, serverKey []byte
	clientCert, clientKey []byte
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tide test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, usage x509.ExtKeyUsage, ips []net.IP) ([]byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "tide test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	}
	p := testPKI{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.serverCert, p.serverKey = issue(2, x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")})
	p.clientCert, p.clientKey = issue(3, x509.ExtKeyUsageClientAuth, nil)
	return p
}

// startTLSFront serves the Git server over HTTPS with the PKI's server
// certificate, requiring a client certificate when mtls is set.
func startTLSFront(t *testing.T, backend string, p testPKI, mtls bool) string {
	t.Helper()
	u, _ := url.Parse(backend)
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host}))
	cert, err := tls.X509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	front.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if mtls {
		front.TLS.ClientAuth, front.TLS.ClientCAs = tls.RequireAndVerifyClientCert, p.pool
	}
	front.StartTLS()
	t.Cleanup(front.Close)
	return "https://" + front.Listener.Addr().String() + u.Path
}

// startProxy is a forward HTTP proxy that wants the given basic credentials
// and counts the requests it forwards.
func startProxy(t *testing.T, user, pass string) (addr string, count func() int64) {
	t.Helper()
	var n atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest("", "", nil)
		req.Header.Set("Authorization", r.Header.Get("Proxy-Authorization"))
		if u, p, ok := req.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
			w.WriteHeader(http.StatusProxyAuthRequired)
			return
		}
		n.Add(1)
		r.Header.Del("Proxy-Authorization")
		(&httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.Out.URL = r.URL }}).ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	return proxy.URL, n.Load
}
