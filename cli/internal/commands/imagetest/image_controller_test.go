package imagetest

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

func run(t *testing.T, newCmd func(*kube.Options) *cobra.Command, ns string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := newCmd(kube.WithConfig(cp.Config, ns))
	var out, errOut bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

// pushTags pushes a random image under each tag of host/app.
func pushTags(t *testing.T, reg *ociregistry.Registry, tags ...string) {
	t.Helper()
	transport := &http.Transport{TLSClientConfig: reg.TLSConfig()}
	for _, tag := range tags {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := name.NewTag(reg.Host + "/app:" + tag)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img, remote.WithTransport(transport)); err != nil {
			t.Fatalf("push %s: %v", ref, err)
		}
	}
}

// With the image-automation-controller running: create waits for the first
// scan and the first choice and reports them; a tag pushed later is seen
// at once by `tide reconcile image repository` (the interval is an hour),
// and the policy follows; get shows what the controller wrote.
func TestImageCommandsWithTheController(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	c, err := client.New(cp.Config, client.Options{Scheme: kube.Scheme()})
	g.Expect(err).NotTo(HaveOccurred())

	reg := ociregistry.New(t, ociregistry.Options{TLS: true})
	pushTags(t, reg, "1.0.0", "1.1.0", "2.0.0-rc.1")
	g.Expect(c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "registry-ca"},
		Data: map[string][]byte{"ca.crt": reg.CAPEM()}})).To(Succeed())
	testkit.StartController(t, cp, "image-automation-controller", "--storage-path="+t.TempDir())

	_, stderr, err := run(t, create.New, ns, "image", "repository", "app", "--image="+reg.Host+"/app",
		"--cert-ref=registry-ca", "--interval=1h")
	g.Expect(err).NotTo(HaveOccurred(), stderr)
	g.Expect(stderr).To(HaveSuffix("✔ scan fetched 3 tags\n"))

	_, stderr, err = run(t, create.New, ns, "image", "policy", "app", "--image-ref=app", "--select-semver=>=1.0.0")
	g.Expect(err).NotTo(HaveOccurred(), stderr)
	g.Expect(stderr).To(HaveSuffix("✔ latest image " + reg.Host + "/app:1.1.0\n"))

	pushTags(t, reg, "1.2.0")
	repo := &imagev1.ImageRepository{}
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, repo)).To(Succeed())
	before := repo.Status.LastScanResult.ScanTime
	_, stderr, err = run(t, reconcile.New, ns, "image", "repository", "app")
	g.Expect(err).NotTo(HaveOccurred(), stderr)
	g.Expect(stderr).To(HaveSuffix("✔ scan fetched 4 tags\n"))
	g.Expect(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, repo)).To(Succeed())
	g.Expect(repo.Annotations).To(HaveKey(meta.ReconcileRequestAnnotation))
	g.Expect(repo.Status.LastHandledReconcileAt).To(Equal(repo.Annotations[meta.ReconcileRequestAnnotation]))
	g.Expect(repo.Status.LastScanResult.ScanTime.Time).NotTo(BeTemporally("<", before.Time))

	// The new scan moves the policy on (the controller reconciles the
	// policies of a repository after each scan).
	g.Eventually(func() string {
		stdout, _, _ := run(t, get.New, ns, "images", "policy")
		return stdout
	}, 2*time.Minute, time.Second).Should(ContainSubstring(reg.Host + "/app:1.2.0"))

	stdout, _, err := run(t, get.New, ns, "images", "repository")
	g.Expect(err).NotTo(HaveOccurred())
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	g.Expect(lines).To(HaveLen(2))
	g.Expect(lines[0]).To(MatchRegexp(`^NAME\s+LAST SCAN\s+SUSPENDED\s+READY\s+MESSAGE$`))
	g.Expect(strings.Fields(lines[1])[:4]).To(Equal([]string{"app",
		repo.Status.LastScanResult.ScanTime.UTC().Format(time.RFC3339), "false", "True"}))
}
