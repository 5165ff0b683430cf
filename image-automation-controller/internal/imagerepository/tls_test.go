package imagerepository

import (
	"net/http"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/imagerepository/imagetest"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// TestCertSecretRef: an HTTPS registry whose CA only spec.certSecretRef
// holds is scanned with it, and refused without it, the message saying
// where the CA goes.
func TestCertSecretRef(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.CP.Client)
	reg := ociregistry.New(t, ociregistry.Options{TLS: true, Username: imagetest.User, Password: imagetest.Password})
	img, err := random.Image(32, 1)
	g.Expect(err).NotTo(HaveOccurred())
	ref, err := name.NewTag(reg.Host + "/secure/app:v1")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: imagetest.User, Password: imagetest.Password}),
		remote.WithTransport(&http.Transport{TLSClientConfig: reg.TLSConfig()}))).To(Succeed())

	env.CreateSecret(t, ns, "creds", imagetest.DockerConfig(reg.Host, imagetest.User, imagetest.Password))
	env.CreateSecret(t, ns, "ca", map[string][]byte{"ca.crt": reg.CAPEM()})
	repo := func(cert bool) *imagev1.ImageRepository {
		obj := &imagev1.ImageRepository{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "repo-", Namespace: ns},
			Spec: imagev1.ImageRepositorySpec{
				Image:     reg.Host + "/secure/app",
				Interval:  metav1.Duration{Duration: time.Hour},
				SecretRef: &meta.LocalObjectReference{Name: "creds"},
			},
		}
		if cert {
			obj.Spec.CertSecretRef = &meta.LocalObjectReference{Name: "ca"}
		}
		return obj
	}

	trusted := repo(true)
	env.Create(t, trusted)
	waitReady(t, trusted)
	g.Expect(trusted.Status.LastScanResult.LatestTags).To(Equal([]string{"v1"}))

	untrusted := repo(false)
	env.Create(t, untrusted)
	testkit.WaitForCondition(t, env.CP.Client, untrusted, meta.ReadyCondition, metav1.ConditionFalse, imagev1.ReadOperationFailedReason)
	g.Expect(readyOf(untrusted).Message).To(ContainSubstring("put the registry's CA in the ca.crt of spec.certSecretRef"))
}
