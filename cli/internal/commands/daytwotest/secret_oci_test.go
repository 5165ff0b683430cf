package daytwotest

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/testkit"
)

// flux create secret oci ghcr --url=ghcr.io --username=stefanprodan
// --password=password --export (its golden file, namespace filled in).
const fluxOCISecret = `---
apiVersion: v1
kind: Secret
metadata:
  name: ghcr
  namespace: NS
stringData:
  .dockerconfigjson: '{"auths":{"ghcr.io":{"username":"stefanprodan","password":"password","auth":"c3RlZmFucHJvZGFuOnBhc3N3b3Jk"}}}'
type: kubernetes.io/dockerconfigjson
`

func TestCreateSecretOCI(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	args := []string{"secret", "oci", "ghcr", "--url=ghcr.io", "--username=stefanprodan", "--password=password"}
	r := run(t, create.New, ns, "", append(args, "--export")...)
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(Equal(strings.ReplaceAll(fluxOCISecret, "NS", ns)))

	r = run(t, create.New, ns, "", args...)
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stderr).To(ContainSubstring("oci secret 'ghcr' created in '" + ns + "' namespace (keys: .dockerconfigjson)"))
	g.Expect(r.stderr + r.stdout).NotTo(ContainSubstring("password\""))
	secret := &corev1.Secret{}
	g.Expect(cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "ghcr"}, secret)).To(Succeed())
	g.Expect(secret.Type).To(Equal(corev1.SecretTypeDockerConfigJson))
	// What the source-controller reads from it for ghcr.io.
	kc, err := ociartifact.KeychainFromDockerConfig(secret.Data[corev1.DockerConfigJsonKey])
	g.Expect(err).NotTo(HaveOccurred())
	reg, err := name.NewRegistry("ghcr.io")
	g.Expect(err).NotTo(HaveOccurred())
	auth, err := kc.Resolve(reg)
	g.Expect(err).NotTo(HaveOccurred())
	cfg, err := auth.Authorization()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(cfg.Username).To(Equal("stefanprodan"))

	// An artifact URL names its registry by host.
	r = run(t, create.New, ns, "", "secret", "oci", "x", "--url=oci://registry.example.com:5000/org/app", "-u=a", "-p=b", "--export")
	g.Expect(r.err).NotTo(HaveOccurred())
	g.Expect(r.stdout).To(ContainSubstring(`{"auths":{"registry.example.com:5000":{`))

	r = run(t, create.New, ns, "", "secret", "oci", "x", "--url=ghcr.io", "--username=a")
	g.Expect(r.err).To(MatchError("pass the registry's credentials: --username and --password (a token goes in --password)"))
}
