package daytwotest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/testkit"
)

// controllerFor starts a fake controller as soon as name exists.
func controllerFor(t *testing.T, obj client.Object, revision string) {
	t.Helper()
	go func() {
		deadline := time.Now().Add(testkit.Timeout)
		for time.Now().Before(deadline) {
			if err := cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj.DeepCopyObject().(client.Object)); err == nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	fakeController(t, obj, revision, metav1.ConditionTrue, "ready")
}

func TestCreateSourceGit(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	args := []string{"source", "git", "app", "--url", "https://git.example.com/org/app.git", "--branch", "main", "--secret-ref", "app-auth", "--interval", "2m"}

	r := run(t, create.New, ns, "", append(args, "--export")...)
	g.Expect(r.err).NotTo(HaveOccurred())
	exported := &sourcev1.GitRepository{}
	g.Expect(yaml.UnmarshalStrict([]byte(r.stdout[len("---\n"):]), exported)).To(Succeed())
	g.Expect(exported.Spec).To(Equal(sourcev1.GitRepositorySpec{
		URL: "https://git.example.com/org/app.git", Interval: metav1.Duration{Duration: 2 * time.Minute},
		Reference: &sourcev1.GitRepositoryRef{Branch: "main"}, SecretRef: &meta.LocalObjectReference{Name: "app-auth"},
	}))
	g.Expect(exported.Namespace).To(Equal(ns))
	err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, &sourcev1.GitRepository{})
	g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "--export must not create the object")

	repo := &sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns}}
	controllerFor(t, repo, "main@sha1:c0ffee")
	r = run(t, create.New, ns, "", args...)
	g.Expect(r.err).NotTo(HaveOccurred())
	assertPlain(t, r.stderr)
	g.Expect(r.stderr).To(HaveSuffix("✔ fetched revision main@sha1:c0ffee\n"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	repo.Spec.Timeout = nil // defaulted by the CRD
	g.Expect(repo.Spec).To(Equal(exported.Spec))
	g.Expect(repo.ManagedFields).To(ContainElement(HaveField("Manager", "tide")))

	// Again, with a tag: the object is updated in place.
	r = run(t, create.New, ns, "", "source", "git", "app", "--url", "https://git.example.com/org/app.git", "--tag", "v1.0.0")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	g.Expect(repo.Spec.Reference).To(Equal(&sourcev1.GitRepositoryRef{Tag: "v1.0.0"}))
	g.Expect(repo.Spec.SecretRef).To(BeNil())
}

func TestCreateSourceGitInvalid(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no ref", []string{"--url", "https://h/r.git"}, "say what to check out: pass one of --branch, --tag, --tag-semver or --commit (e.g. --branch=main)"},
		{"two refs", []string{"--url", "https://h/r.git", "--tag", "v1", "--branch", "main"}, "pass only one of --branch, --tag, --tag-semver and --commit (--commit may be combined with --branch)"},
		{"bad scheme", []string{"--url", "ftp://h/r.git", "--branch", "main"}, `--url scheme "ftp" is not supported: use http, https or ssh`},
		{"ssh without secret", []string{"--url", "ssh://git@h/r.git", "--branch", "main"}, "an ssh URL needs a Secret with a key and known hosts: create one with 'tide create secret git x-auth --url=ssh://git@h/r.git' and pass --secret-ref=x-auth"},
		{"no url", []string{"--branch", "main"}, `required flag(s) "url" not set`},
		{"github app without secret", []string{"--url", "https://github.com/o/r", "--branch", "main", "--provider", "github"},
			"--provider=github needs a Secret with the App's credentials: create one with 'tide create secret githubapp x-auth --app-id=ID --app-installation-id=ID --app-private-key=app.pem' and pass --secret-ref=x-auth"},
		{"github app over ssh", []string{"--url", "ssh://git@github.com/o/r", "--branch", "main", "--provider", "github", "--secret-ref", "s"},
			"--provider=github authenticates over HTTPS: use the repository's https:// URL"},
		{"unknown provider", []string{"--url", "https://h/r.git", "--branch", "main", "--provider", "azure"},
			`--provider "azure" is not supported: use generic (credentials in --secret-ref) or github (a GitHub App)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, create.New, ns, "", append([]string{"source", "git", "x"}, tt.args...)...)
			NewWithT(t).Expect(r.err).To(MatchError(tt.wantErr))
		})
	}
}

func TestCreateKustomization(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	args := []string{"kustomization", "apps", "--source", "GitRepository/repo", "--path", "deploy/prod", "--prune",
		"--interval", "10m", "--target-namespace", "web", "--depends-on", "infra,other/db", "--wait"}
	want := kustomizev1.KustomizationSpec{
		SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "repo"},
		Path:      "./deploy/prod", Prune: true, Interval: metav1.Duration{Duration: 10 * time.Minute},
		TargetNamespace: "web", Wait: true,
		DependsOn: []kustomizev1.DependencyReference{{Name: "infra"}, {Namespace: "other", Name: "db"}},
	}

	r := run(t, create.New, ns, "", append(args, "--export")...)
	g.Expect(r.err).NotTo(HaveOccurred())
	exported := &kustomizev1.Kustomization{}
	g.Expect(yaml.UnmarshalStrict([]byte(r.stdout[len("---\n"):]), exported)).To(Succeed())
	g.Expect(exported.Spec).To(Equal(want))

	ks := &kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns}}
	controllerFor(t, ks, "main@sha1:beef")
	r = run(t, create.New, ns, "", args...)
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(HaveSuffix("✔ applied revision main@sha1:beef\n"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)).To(Succeed())
	g.Expect(ks.Spec).To(Equal(want))

	r = run(t, create.New, ns, "", "ks", "x", "--source", "Bucket/b")
	g.Expect(r.err).To(MatchError(`--source kind "Bucket" is not supported: use --source=GitRepository/NAME or --source=OCIRepository/NAME`))
	r = run(t, create.New, ns, "", "ks", "x", "--source", "repo", "--path", "../up")
	g.Expect(r.err).To(MatchError(`--path "../up" leaves the repository: use a path inside it, e.g. --path=./deploy`))
}

func TestCreateSecretGit(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	git := testkit.StartGitServer(t, testkit.WithSSH())
	keyFile := write("identity", string(git.ClientKey()))
	knownHosts := write("known_hosts", string(git.KnownHosts()))

	tests := []struct {
		name     string
		args     []string
		wantKeys []string
		wantErr  string
	}{
		{name: "basic auth", args: []string{"--url", "https://h/r.git", "--username", "git", "--password", "s3cr3t-pass"},
			wantKeys: []string{"username", "password"}},
		{name: "bearer", args: []string{"--url", "https://h/r.git", "--bearer-token", "s3cr3t-token"},
			wantKeys: []string{"bearerToken"}},
		{name: "ssh key", args: []string{"--url", git.SSHURL("r"), "--private-key-file", keyFile, "--ssh-known-hosts-file", knownHosts},
			wantKeys: []string{"identity", "identity.pub", "known_hosts"}},
		{name: "ssh generated key", args: []string{"--url", git.SSHURL("r"), "--ssh-known-hosts-file", knownHosts},
			wantKeys: []string{"identity", "identity.pub", "known_hosts"}},
		{name: "ssh without known hosts", args: []string{"--url", "ssh://git@h:2222/r.git", "--private-key-file", keyFile},
			wantErr: "an ssh URL needs the server's host keys: run 'ssh-keyscan -p 2222 h > known_hosts' (and check them) and pass --ssh-known-hosts-file=known_hosts"},
		{name: "both auths", args: []string{"--url", "https://h/r.git", "--bearer-token", "t", "--username", "u", "--password", "p"},
			wantErr: "pass either --bearer-token or --username and --password, not both"},
		{name: "bad ca", args: []string{"--url", "https://h/r.git", "--ca-file", write("ca.crt", "nope")},
			wantErr: "--ca-file holds no PEM certificate: pass the CA certificate of the Git server"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			name := "auth-" + string(rune('a'+i))
			r := run(t, create.New, ns, "", append([]string{"secret", "git", name}, tt.args...)...)
			if tt.wantErr != "" {
				g.Expect(r.err).To(MatchError(tt.wantErr))
				return
			}
			g.Expect(r.err).NotTo(HaveOccurred())
			for _, secretValue := range []string{"s3cr3t", "PRIVATE KEY"} {
				g.Expect(r.stdout + r.stderr).NotTo(ContainSubstring(secretValue))
			}
			s := &corev1.Secret{}
			g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s)).To(Succeed())
			g.Expect(s.Data).To(HaveLen(len(tt.wantKeys)))
			for _, k := range tt.wantKeys {
				g.Expect(s.Data).To(HaveKey(k))
			}
		})
	}

	t.Run("export", func(t *testing.T) {
		g := NewWithT(t)
		r := run(t, create.New, ns, "", "secret", "git", "exported", "--url", "https://h/r.git", "--username", "git", "--password", "s3cr3t", "--export")
		g.Expect(r.err).NotTo(HaveOccurred())
		s := &corev1.Secret{}
		g.Expect(yaml.UnmarshalStrict([]byte(r.stdout[len("---\n"):]), s)).To(Succeed())
		g.Expect(s.StringData).To(Equal(map[string]string{"username": "git", "password": "s3cr3t"}))
		err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "exported"}, &corev1.Secret{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue())
	})
}

// A GitHub App's Secret holds what the source-controller reads for
// provider: github, and a GitRepository names it with --provider=github.
func TestCreateSecretGitHubApp(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	keyFile := filepath.Join(t.TempDir(), "app.pem")
	g.Expect(os.WriteFile(keyFile, testkit.StartGitHubAPI(t).PrivateKeyPEM(), 0o600)).To(Succeed())

	r := run(t, create.New, ns, "", "secret", "githubapp", "gh", "--app-id", "123456", "--app-installation-id", "7890",
		"--app-private-key", keyFile, "--app-base-url", "https://ghe.example.com/api/v3")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout + r.stderr).NotTo(ContainSubstring("PRIVATE KEY"))
	s := &corev1.Secret{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "gh"}, s)).To(Succeed())
	g.Expect(s.Data).To(HaveKeyWithValue("githubAppID", []byte("123456")))
	g.Expect(s.Data).To(HaveKeyWithValue("githubAppInstallationID", []byte("7890")))
	g.Expect(s.Data).To(HaveKeyWithValue("githubAppBaseURL", []byte("https://ghe.example.com/api/v3")))
	g.Expect(string(s.Data["githubAppPrivateKey"])).To(HavePrefix("-----BEGIN RSA PRIVATE KEY-----"))

	notAKey := filepath.Join(t.TempDir(), "not.pem")
	g.Expect(os.WriteFile(notAKey, []byte("s3cr3t"), 0o600)).To(Succeed())
	for args, want := range map[string]string{
		"--app-installation-id=abc --app-private-key=" + keyFile:                                   "--app-installation-id must be a number: the ID at the end of the installation's settings URL",
		"--app-installation-id=1 --app-private-key=" + notAKey:                                     "--app-private-key is not an RSA private key in PEM: pass the .pem file GitHub generated for the App",
		"--app-installation-id=1 --app-private-key=" + keyFile + " --app-base-url=ghe.example.com": `--app-base-url "ghe.example.com" is not an https URL: GitHub Enterprise Server's API is https://HOSTNAME/api/v3`,
	} {
		r := run(t, create.New, ns, "", append([]string{"secret", "githubapp", "bad", "--app-id=1"}, strings.Fields(args)...)...)
		g.Expect(r.err).To(MatchError(want), args)
		g.Expect(r.err.Error()).NotTo(ContainSubstring("s3cr3t"))
	}

	r = run(t, create.New, ns, "", "source", "git", "app", "--url", "https://github.com/org/app", "--branch", "main",
		"--provider", "github", "--secret-ref", "gh", "--export")
	g.Expect(r.err).NotTo(HaveOccurred())
	exported := &sourcev1.GitRepository{}
	g.Expect(yaml.UnmarshalStrict([]byte(r.stdout[len("---\n"):]), exported)).To(Succeed())
	g.Expect(exported.Spec.Provider).To(Equal("github"))
	g.Expect(exported.Spec.SecretRef).To(Equal(&meta.LocalObjectReference{Name: "gh"}))
}
