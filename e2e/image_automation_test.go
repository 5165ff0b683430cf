package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// The registry's and the Git server's credentials in the image tests.
const (
	registryUser, registryPassword = "puller", "registry-s3cr3t"
	gitUser, gitPassword           = "bot", "git-s3cr3t"
	automationAuthor               = "Tide Bot"
	automationEmail                = "bot@tide.example"
)

// deploymentYAML is a Deployment whose image carries the marker of the
// ImagePolicy ns:policy, as a Flux user writes it.
func deploymentYAML(name, image, ns, policy string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
spec:
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
    spec:
      containers:
        - name: app # the only container
          image: %[2]s # {"$imagepolicy": "%[3]s:%[4]s"}
`, name, image, ns, policy)
}

// pushImageTags pushes a small random image under each tag of
// reg.Host/repository, with the registry's credentials.
func pushImageTags(tb testing.TB, reg *ociregistry.Registry, repository string, tags ...string) {
	tb.Helper()
	auth := remote.WithAuth(&authn.Basic{Username: registryUser, Password: registryPassword})
	for _, tag := range tags {
		img, err := random.Image(128, 1)
		if err != nil {
			tb.Fatal(err)
		}
		ref, err := name.NewTag(reg.Host+"/"+repository+":"+tag, name.Insecure)
		if err != nil {
			tb.Fatal(err)
		}
		if err := remote.Write(ref, img, auth); err != nil {
			tb.Fatalf("push %s: %v", ref, err)
		}
	}
}

// dockerConfigSecret is the Secret `kubectl create secret docker-registry`
// makes for the test registry.
func dockerConfigSecret(ns, name, host string) *corev1.Secret {
	cfg, _ := json.Marshal(map[string]any{"auths": map[string]any{
		host: map[string]string{"username": registryUser, "password": registryPassword}}})
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Type: corev1.SecretTypeDockerConfigJson, Data: map[string][]byte{corev1.DockerConfigJsonKey: cfg}}
}

// imageAutomationObjects are what a user creates for the loop: the Git
// credentials, a GitRepository polling fleet every sourceInterval, the
// registry credentials, an ImageRepository of image (interval 1h: only a
// requested rescan sees a new tag soon), an ImagePolicy "app" taking the
// highest version >=1.0.0, and an ImageUpdateAutomation pushing to master.
func imageAutomationObjects(ns, gitURL, image, registryHost string, sourceInterval time.Duration) []client.Object {
	return []client.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "git", Namespace: ns},
			StringData: map[string]string{"username": gitUser, "password": gitPassword}},
		&sourcev1.GitRepository{ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
			Spec: sourcev1.GitRepositorySpec{URL: gitURL, Interval: metav1.Duration{Duration: sourceInterval},
				Reference: &sourcev1.GitRepositoryRef{Branch: "master"}, SecretRef: &meta.LocalObjectReference{Name: "git"}}},
		dockerConfigSecret(ns, "registry", registryHost),
		&imagev1.ImageRepository{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
			Spec: imagev1.ImageRepositorySpec{Image: image, Interval: metav1.Duration{Duration: time.Hour},
				Insecure: true, SecretRef: &meta.LocalObjectReference{Name: "registry"}}},
		&imagev1.ImagePolicy{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns},
			Spec: imagev1.ImagePolicySpec{ImageRepositoryRef: meta.NamespacedObjectReference{Name: "app"},
				Policy: imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: ">=1.0.0"}}}},
		&imagev1.ImageUpdateAutomation{ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
			Spec: imagev1.ImageUpdateAutomationSpec{
				SourceRef: imagev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"},
				Interval:  metav1.Duration{Duration: time.Hour},
				Update:    &imagev1.UpdateStrategy{Strategy: imagev1.UpdateStrategySetters, Path: "./apps"},
				GitSpec: &imagev1.GitSpec{
					Commit: imagev1.CommitSpec{
						Author:          imagev1.CommitUser{Name: automationAuthor, Email: automationEmail},
						MessageTemplate: "{{ range .Changed.Changes }}{{ .OldValue }} -> {{ .NewValue }}{{ end }}",
					},
					Push: &imagev1.PushSpec{Branch: "master"},
				}}},
	}
}

// readyOf is an object's Ready condition as "Status Reason Message".
func readyOf(ctx context.Context, obj interface {
	client.Object
	conditions.Getter
}) func() string {
	return func() string {
		if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err.Error()
		}
		c := conditions.Get(obj, meta.ReadyCondition)
		if c == nil {
			return "no Ready condition"
		}
		return string(c.Status) + " " + c.Reason + " " + c.Message
	}
}

// remoteCommit is the commit branch points at in the server's bare
// repository repo.
func remoteCommit(tb testing.TB, srv *testkit.GitServer, repo, branch string) *object.Commit {
	tb.Helper()
	r, err := gogit.PlainOpen(srv.RepoDir(repo))
	if err != nil {
		tb.Fatal(err)
	}
	ref, err := r.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := r.CommitObject(ref.Hash())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The image loop with the source-, kustomize- and image-automation-
// controllers as processes, a Git server and a registry both behind basic
// auth: the automation commits the newest tag to the fleet repository,
// the Kustomization applies it, and a tag pushed later (seen by a
// requested rescan) ends as the Deployment's image in the cluster, in a
// commit by the automation's author with its message.
func TestImageUpdateToCluster(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	if err := imagev1.AddToScheme(cp.Scheme); err != nil {
		t.Fatal(err)
	}
	reg := ociregistry.New(t, ociregistry.Options{Username: registryUser, Password: registryPassword})
	image := reg.Host + "/team/app"
	pushImageTags(t, reg, "team/app", "1.0.0", "1.1.0", "not-a-version")

	git := testkit.StartGitServer(t, testkit.WithBasicAuth(gitUser, gitPassword))
	ns := testkit.NewNamespace(t, cp.Client)
	repo := git.NewRepo(t, "fleet")
	repo.Write("apps/app.yaml", deploymentYAML("app", image+":1.0.0", ns, "app"))
	first := repo.Commit("the app at 1.0.0")

	testkit.StartControllers(t, cp)
	sink := startEventSink(t)
	testkit.StartController(t, cp, "image-automation-controller", "--storage-path="+t.TempDir(), "--events-addr="+sink.url)

	objs := imageAutomationObjects(ns, git.HTTPURL("fleet"), image, reg.Host, 2*time.Second)
	objs = append(objs, &kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{Interval: metav1.Duration{Duration: time.Hour}, Path: "./apps", Prune: true,
			TargetNamespace: ns, SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"}}})
	for _, obj := range objs {
		g.Expect(cp.Client.Create(ctx, obj)).To(Succeed())
	}
	deployedImage := func() string {
		d := &appsv1.Deployment{}
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, d); err != nil {
			return "<absent>"
		}
		return d.Spec.Template.Spec.Containers[0].Image
	}
	auto := &imagev1.ImageUpdateAutomation{ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns}}
	ks := &kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns}}
	const wait = 3 * time.Minute

	// The first run takes the cluster from 1.0.0 to the newest version.
	g.Eventually(deployedImage, wait, 250*time.Millisecond).Should(Equal(image+":1.1.0"), readyOf(ctx, auto))

	// A new tag, and a rescan requested as `tide reconcile image repository` does.
	pushImageTags(t, reg, "team/app", "1.2.0", "2.0.0-rc.1")
	irepo := &imagev1.ImageRepository{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "app"}, irepo)).To(Succeed())
	patch := client.MergeFrom(irepo.DeepCopy())
	irepo.SetAnnotations(map[string]string{meta.ReconcileRequestAnnotation: time.Now().Format(time.RFC3339Nano)})
	g.Expect(cp.Client.Patch(ctx, irepo, patch)).To(Succeed())
	g.Eventually(deployedImage, wait, 250*time.Millisecond).Should(Equal(image+":1.2.0"), readyOf(ctx, auto))

	// What a user checks: the commit in Git, the statuses.
	head := remoteCommit(t, git, "fleet", "master")
	g.Expect(head.Author.Name).To(Equal(automationAuthor))
	g.Expect(head.Author.Email).To(Equal(automationEmail))
	g.Expect(head.Message).To(Equal(image + ":1.1.0 -> " + image + ":1.2.0"))
	parent, err := head.Parent(0)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(parent.Message).To(Equal(image + ":1.0.0 -> " + image + ":1.1.0"))
	g.Expect(parent.ParentHashes).To(Equal([]plumbing.Hash{plumbing.NewHash(first)}))
	file, err := head.File("apps/app.yaml")
	g.Expect(err).NotTo(HaveOccurred())
	content, err := file.Contents()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(content).To(Equal(deploymentYAML("app", image+":1.2.0", ns, "app")), "only the marked value changes")

	g.Eventually(readyOf(ctx, auto), wait).Should(HavePrefix("True Succeeded"))
	g.Expect(auto.Status.LastPushCommit).To(Equal(head.Hash.String()))
	g.Expect(auto.Status.LastPushTime).NotTo(BeNil())
	policy := &imagev1.ImagePolicy{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns}}
	g.Expect(readyOf(ctx, policy)()).To(HavePrefix("True "))
	g.Expect(policy.Status.LatestRef).NotTo(BeNil())
	g.Expect(policy.Status.LatestRef.Tag).To(Equal("1.2.0"))
	g.Expect(readyOf(ctx, irepo)()).To(HavePrefix("True "))
	g.Expect(irepo.Status.LastScanResult.TagCount).To(Equal(5))
	g.Eventually(readyOf(ctx, ks), wait).Should(Equal("True ReconciliationSucceeded Applied revision: master@sha1:" + head.Hash.String()))

	// The three kinds' events reached --events-addr in Flux's event JSON;
	// the automation's names the pushed commit, as Flux's does.
	g.Eventually(sink.of("ImageUpdateAutomation"), wait).Should(ContainElement(And(
		HaveField("ReportingController", "image-automation-controller"), HaveField("Severity", "info"),
		HaveField("InvolvedObject.Namespace", ns), HaveField("InvolvedObject.Name", "fleet"),
		HaveField("Message", ContainSubstring("pushed commit '"+head.Hash.String()[:7]+"' to branch 'master'")))))
	g.Expect(sink.of("ImagePolicy")()).To(ContainElement(HaveField("InvolvedObject.Name", "app")))
	g.Expect(sink.of("ImageRepository")()).To(ContainElement(HaveField("InvolvedObject.Name", "app")))
}
