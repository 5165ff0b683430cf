package daytwotest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/testkit"
)

// selfSigned writes a PEM certificate and its key into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	for file, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

// As `flux create source helm --username --password --cert-file ...`: the
// credentials go into the Secret helm-NAME that secretRef names; --export
// prints the Secret too, and only then are its values shown.
func TestCreateSourceHelmWithCredentials(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	certFile, keyFile := selfSigned(t, t.TempDir())
	cert, _ := os.ReadFile(certFile)
	args := []string{"source", "helm", "private", "--url=https://charts.example.com", "--username=bot", "--password=s3cret",
		"--cert-file=" + certFile, "--key-file=" + keyFile, "--ca-file=" + certFile}

	r := run(t, create.New, ns, "", append(args, "--export")...)
	g.Expect(r.err).NotTo(HaveOccurred())
	// Split on whole "---" lines: a PEM block ends in "-----\n" too.
	g.Expect(r.stdout).To(HavePrefix("---\n"))
	var got []*unstructured.Unstructured
	for _, d := range strings.Split(r.stdout[len("---\n"):], "\n---\n") {
		u := &unstructured.Unstructured{}
		g.Expect(yaml.Unmarshal([]byte(d), &u.Object)).To(Succeed())
		got = append(got, u)
	}
	g.Expect(got).To(HaveLen(2))
	g.Expect(got[0].GetKind()).To(Equal("Secret"))
	g.Expect(got[0].GetName()).To(Equal("helm-private"))
	g.Expect(got[0].Object["stringData"]).To(HaveKeyWithValue("password", "s3cret"))
	g.Expect(got[1].GetKind()).To(Equal("HelmRepository"))
	g.Expect(got[1].Object["spec"]).To(HaveKeyWithValue("secretRef", map[string]any{"name": "helm-private"}))

	repo := &sourcev1.HelmRepository{ObjectMeta: metav1.ObjectMeta{Name: "private", Namespace: ns}}
	controllerFor(t, repo, "sha256:aa")
	r = run(t, create.New, ns, "", args...)
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("helm secret 'helm-private' created in '" + ns + "' namespace (keys: ca.crt, password, tls.crt, tls.key, username)"))
	g.Expect(r.stderr).NotTo(ContainSubstring("s3cret"))
	secret := &corev1.Secret{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "helm-private"}, secret)).To(Succeed())
	g.Expect(secret.Data).To(HaveKeyWithValue("username", []byte("bot")))
	g.Expect(secret.Data).To(HaveKeyWithValue("tls.crt", cert))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	g.Expect(repo.Spec.SecretRef).To(Equal(&meta.LocalObjectReference{Name: "helm-private"}))

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--username=bot"}, "--username needs --password"},
		{[]string{"--cert-file=" + certFile}, "--cert-file and --key-file go together"},
		{[]string{"--cert-file=" + certFile, "--key-file=" + certFile}, "--cert-file and --key-file are not a PEM certificate and its private key"},
		{[]string{"--username=bot", "--password=x", "--secret-ref=other"}, "pass either --secret-ref or the credentials"},
		{[]string{"--ca-file=" + filepath.Join(t.TempDir(), "missing")}, "--ca-file: open"},
	} {
		r := run(t, create.New, ns, "", append([]string{"source", "helm", "x", "--url=https://charts.example.com", "--export"}, bad.args...)...)
		g.Expect(r.err).To(MatchError(ContainSubstring(bad.want)), bad.want)
		g.Expect(r.err.Error()).NotTo(ContainSubstring("-----BEGIN"))
	}
}
