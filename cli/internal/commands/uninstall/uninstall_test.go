package uninstall_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/commands/uninstall"
	installer "github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/manifests"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

const installNS = "tide-uninstall"

func run(stdin string, args ...string) (string, error) {
	cmd := uninstall.New(kube.WithConfig(cp.Config, installNS))
	var buf bytes.Buffer
	cmd.SetOut(&buf)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return buf.String(), err
}

// With both controllers running, uninstall removes Tide and its CRDs while
// the workload a Kustomization applied (with prune on) stays.
func TestUninstall_KeepsWorkloads(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	objs, err := installer.Render(manifests.AllControllers(), installNS)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(installer.Apply(ctx, cp.Client, objs, output.New(&bytes.Buffer{}))).To(Succeed())

	git := testkit.StartGitServer(t)
	repo := git.NewRepo(t, "fleet")
	repo.Write("apps/workload.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: workload\ndata:\n  key: v1\n")
	repo.Commit("workload")
	testkit.StartControllers(t, cp)
	ns := testkit.NewNamespace(t, cp.Client)
	source := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet", Namespace: ns},
		Spec:       sourcev1.GitRepositorySpec{URL: git.HTTPURL("fleet"), Interval: metav1.Duration{Duration: time.Hour}},
	}
	g.Expect(cp.Client.Create(ctx, source)).To(Succeed())
	ks := &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Interval: metav1.Duration{Duration: time.Hour}, Path: "./apps", Prune: true, TargetNamespace: ns,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: "fleet"},
		},
	}
	g.Expect(cp.Client.Create(ctx, ks)).To(Succeed())
	g.Eventually(func() bool {
		_ = cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)
		return apimeta.IsStatusConditionTrue(ks.Status.Conditions, "Ready")
	}, time.Minute).Should(BeTrue())
	g.Expect(ks.Finalizers).To(ContainElement(installer.Finalizer))
	workload := &corev1.ConfigMap{}
	g.Expect(cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "workload"}, workload)).To(Succeed())
	g.Expect(workload.Labels).To(HaveKeyWithValue("kustomize.toolkit.fluxcd.io/name", "apps"))

	// A HelmChart whose controller is gone keeps its finalizer: uninstall
	// must release it too, or its CRD never goes.
	chart := &sourcev1.HelmChart{
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: ns, Finalizers: []string{installer.Finalizer}},
		Spec: sourcev1.HelmChartSpec{Chart: "app", Interval: metav1.Duration{Duration: time.Hour}, Suspend: true,
			SourceRef: sourcev1.LocalHelmChartSourceReference{Kind: sourcev1.HelmRepositoryKind, Name: "charts"}},
	}
	g.Expect(cp.Client.Create(ctx, chart)).To(Succeed())
	// So must it release an ImageRepository (the image kinds carry it too).
	imageRepo := &unstructured.Unstructured{}
	g.Expect(yaml.Unmarshal([]byte(`apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {name: app, finalizers: [finalizers.fluxcd.io]}
spec: {image: ghcr.io/org/app, interval: 1h}
`), &imageRepo.Object)).To(Succeed())
	imageRepo.SetNamespace(ns)
	g.Expect(cp.Client.Create(ctx, imageRepo)).To(Succeed())

	// And every other kind Tide serves that may hold one.
	for _, doc := range []string{
		"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: app, finalizers: [finalizers.fluxcd.io]}\n" +
			"spec: {interval: 1h, suspend: true, chartRef: {kind: HelmChart, name: app}}\n",
		"apiVersion: notification.toolkit.fluxcd.io/v1\nkind: Receiver\nmetadata: {name: app, finalizers: [finalizers.fluxcd.io]}\n" +
			"spec: {type: generic, secretRef: {name: token}, resources: [{kind: GitRepository, name: fleet}]}\n",
		"apiVersion: notification.toolkit.fluxcd.io/v1\nkind: Provider\nmetadata: {name: app, finalizers: [finalizers.fluxcd.io]}\n" +
			"spec: {type: generic, address: 'https://example.com/hook'}\n",
		"apiVersion: notification.toolkit.fluxcd.io/v1\nkind: Alert\nmetadata: {name: app, finalizers: [finalizers.fluxcd.io]}\n" +
			"spec: {providerRef: {name: app}, eventSources: [{kind: GitRepository, name: fleet}]}\n",
	} {
		obj := &unstructured.Unstructured{}
		g.Expect(yaml.Unmarshal([]byte(doc), &obj.Object)).To(Succeed())
		obj.SetNamespace(ns)
		g.Expect(cp.Client.Create(ctx, obj)).To(Succeed(), doc)
	}

	printed, err := run("n\n")
	g.Expect(err).To(MatchError("uninstall cancelled"))
	g.Expect(printed).To(ContainSubstring("[y/N]"))
	g.Expect(cp.Client.Get(ctx, client.ObjectKeyFromObject(ks), ks)).To(Succeed(), "nothing deleted when not confirmed")

	printed, err = run("", "--silent")
	g.Expect(err).NotTo(HaveOccurred(), printed)
	g.Expect(printed).To(And(
		ContainSubstring("✔ Kustomization/"+ns+"/apps suspended, finalizer removed"),
		ContainSubstring("✔ HelmChart/"+ns+"/app suspended, finalizer removed"),
		ContainSubstring("✔ ImageRepository/"+ns+"/app suspended, finalizer removed"),
		ContainSubstring("✔ HelmRelease/"+ns+"/app suspended, finalizer removed"),
		ContainSubstring("✔ Receiver/"+ns+"/app suspended, finalizer removed"),
		ContainSubstring("✔ Alert/"+ns+"/app suspended, finalizer removed"),
		ContainSubstring("✔ Provider/"+ns+"/app suspended, finalizer removed"),
		ContainSubstring("✔ Deployment/"+installNS+"/image-automation-controller deleted"),
		ContainSubstring("✔ Deployment/"+installNS+"/kustomize-controller deleted"),
		ContainSubstring("✔ CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io deleted"),
		ContainSubstring("✔ Namespace/"+installNS+" deleted")))

	for _, name := range []string{"kustomizations.kustomize.toolkit.fluxcd.io", "gitrepositories.source.toolkit.fluxcd.io",
		"helmcharts.source.toolkit.fluxcd.io", "helmrepositories.source.toolkit.fluxcd.io", "ocirepositories.source.toolkit.fluxcd.io",
		"imagerepositories.image.toolkit.fluxcd.io", "helmreleases.helm.toolkit.fluxcd.io",
		"receivers.notification.toolkit.fluxcd.io", "alerts.notification.toolkit.fluxcd.io",
		"providers.notification.toolkit.fluxcd.io"} {
		crd := &unstructured.Unstructured{}
		crd.SetGroupVersionKind(apiextensionsv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
		err := cp.Client.Get(ctx, client.ObjectKey{Name: name}, crd)
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), name)
	}
	nsObj := &corev1.Namespace{}
	err = cp.Client.Get(ctx, client.ObjectKey{Name: installNS}, nsObj)
	// The test apiserver runs no namespace controller: the namespace stays Terminating.
	g.Expect(apierrors.IsNotFound(err) || nsObj.DeletionTimestamp != nil).To(BeTrue())

	g.Consistently(func() error {
		if err := cp.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "workload"}, workload); err != nil {
			return err
		}
		if workload.DeletionTimestamp != nil {
			return apierrors.NewGone("workload is being deleted")
		}
		return nil
	}, 3*time.Second, 200*time.Millisecond).Should(Succeed(), "the workload survives uninstall")
}
