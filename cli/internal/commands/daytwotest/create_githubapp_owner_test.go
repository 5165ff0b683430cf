package daytwotest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/testkit"
)

// --app-installation-owner names the App's installation by the account it
// is on, as Flux's flag does: the Secret holds githubAppInstallationOwner
// instead of githubAppInstallationID, and exactly one of the two flags is
// taken.
func TestCreateSecretGitHubAppByInstallationOwner(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	keyFile := filepath.Join(t.TempDir(), "app.pem")
	g.Expect(os.WriteFile(keyFile, testkit.StartGitHubAPI(t).PrivateKeyPEM(), 0o600)).To(Succeed())

	r := run(t, create.New, ns, "", "secret", "githubapp", "gh", "--app-id", "123456",
		"--app-installation-owner", "my-org", "--app-private-key", keyFile)
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout + r.stderr).NotTo(ContainSubstring("PRIVATE KEY"))
	s := &corev1.Secret{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "gh"}, s)).To(Succeed())
	g.Expect(s.Data).To(HaveKeyWithValue("githubAppID", []byte("123456")))
	g.Expect(s.Data).To(HaveKeyWithValue("githubAppInstallationOwner", []byte("my-org")))
	g.Expect(s.Data).NotTo(HaveKey("githubAppInstallationID"))
	g.Expect(string(s.Data["githubAppPrivateKey"])).To(HavePrefix("-----BEGIN RSA PRIVATE KEY-----"))

	r = run(t, create.New, ns, "", "secret", "githubapp", "exported", "--app-id", "1",
		"--app-installation-owner", "my-user", "--app-private-key", keyFile, "--export")
	g.Expect(r.err).NotTo(HaveOccurred())
	exported := &corev1.Secret{}
	g.Expect(yaml.UnmarshalStrict([]byte(r.stdout[len("---\n"):]), exported)).To(Succeed())
	g.Expect(exported.StringData).To(HaveKeyWithValue("githubAppInstallationOwner", "my-user"))
	g.Expect(exported.StringData).NotTo(HaveKey("githubAppInstallationID"))

	for args, want := range map[string]string{
		"--app-installation-id=7890 --app-installation-owner=my-org": "pass either --app-installation-id or --app-installation-owner, not both",
		"": "the App's installation is not named: pass --app-installation-id (the number at the end of the installation's settings URL) " +
			"or --app-installation-owner (the organization or user the App is installed on)",
		"--app-installation-owner=my-org/app": `--app-installation-owner "my-org/app" is not a GitHub login: pass the organization or user the App is installed on, as in github.com/OWNER`,
	} {
		args := append([]string{"secret", "githubapp", "bad", "--app-id=1", "--app-private-key=" + keyFile}, strings.Fields(args)...)
		r := run(t, create.New, ns, "", args...)
		g.Expect(r.err).To(MatchError(want), strings.Join(args, " "))
	}
	err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "bad"}, &corev1.Secret{})
	g.Expect(client.IgnoreNotFound(err)).To(Succeed())
	g.Expect(err).To(HaveOccurred(), "a refused Secret must not be created")
}
