package localbuild_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	buildcmd "github.com/tidegitops/tide/cli/internal/commands/build"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/localbuild"
	"github.com/tidegitops/tide/kustomize-controller/build"
	"github.com/tidegitops/tide/testkit"
)

// appSpec is a Kustomization of ./apps that uses every build field the
// tests look at.
func appSpec(ns string) *kustomizev1.Kustomization {
	return &kustomizev1.Kustomization{
		ObjectMeta: metav1.ObjectMeta{Name: "apps", Namespace: ns},
		Spec: kustomizev1.KustomizationSpec{
			Path:            "./apps",
			TargetNamespace: ns,
			NamePrefix:      "prod-",
			CommonMetadata:  &kustomizev1.CommonMetadata{Labels: map[string]string{"team": "web"}},
			Patches: []kustomizev1.Patch{{
				Patch:  `[{"op": "replace", "path": "/spec/replicas", "value": 3}]`,
				Target: &kustomizev1.Selector{Kind: "Deployment", Name: "web"},
			}},
			PostBuild: &kustomizev1.PostBuild{
				SubstituteFrom: []kustomizev1.SubstituteReference{
					{Kind: "ConfigMap", Name: "vars"},
					{Kind: "Secret", Name: "missing", Optional: true},
				},
				Substitute: map[string]string{"ENV": "prod"},
			},
		},
	}
}

func TestBuildIsTheControllersBuild(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	g.Expect(cp.Client.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "vars", Namespace: ns},
		Data:       map[string]string{"REGION": "eu-west-1", "ENV": "overridden"},
	})).To(Succeed())
	ks := appSpec(ns)
	createKustomization(t, ks)
	root := writeTree(t, map[string]string{
		"apps/kustomization.yaml": "resources: [app.yaml]\n",
		"apps/app.yaml":           appFiles,
	})

	// What the controller's build step does with the same spec and source.
	opts := build.OptionsFor(&ks.Spec)
	opts.Labels = build.OwnerLabels(ks)
	want, err := build.Build(root, opts)
	g.Expect(err).NotTo(HaveOccurred())
	vars, err := build.Vars(ctx, cp.Client, ks)
	g.Expect(err).NotTo(HaveOccurred())
	want, err = build.PostBuild(want, &ks.Spec, vars, build.PostBuildOptions{})
	g.Expect(err).NotTo(HaveOccurred())

	// tide build kustomization apps --path <root>/apps
	var out bytes.Buffer
	cmd := buildcmd.New(kube.WithConfig(cp.Config, ns))
	cmd.SetArgs([]string{"kustomization", "apps", "--path", filepath.Join(root, "apps")})
	cmd.SetOut(&out)
	g.Expect(cmd.ExecuteContext(ctx)).To(Succeed())

	var wantOut bytes.Buffer
	g.Expect(localbuild.WriteYAML(&wantOut, want)).To(Succeed())
	g.Expect(out.String()).To(Equal(wantOut.String()))

	// And what that is, spelled out.
	objs := parse(t, out.Bytes())
	g.Expect(objs).To(HaveLen(2))
	for _, obj := range objs {
		g.Expect(obj.GetNamespace()).To(Equal(ns))
		g.Expect(obj.GetLabels()).To(HaveKeyWithValue("kustomize.toolkit.fluxcd.io/name", "apps"))
		g.Expect(obj.GetLabels()).To(HaveKeyWithValue("kustomize.toolkit.fluxcd.io/namespace", ns))
		g.Expect(obj.GetLabels()).To(HaveKeyWithValue("team", "web"))
	}
	g.Expect(objs[0].GetName()).To(Equal("prod-settings"))
	data, _, _ := unstructured.NestedStringMap(objs[0].Object, "data")
	g.Expect(data).To(Equal(map[string]string{"region": "eu-west-1", "tier": "gold", "env": "prod"}))
	replicas, _, _ := unstructured.NestedInt64(objs[1].Object, "spec", "replicas")
	g.Expect(objs[1].GetName()).To(Equal("prod-web"))
	g.Expect(replicas).To(Equal(int64(3)))
}

func TestBuildFromFileNeedsNoCluster(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"apps/app.yaml": appFiles, // no kustomization.yaml: one is generated, as in Flux
		"ks.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: team
spec:
  interval: 5m
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: fleet}
  postBuild:
    substitute: {REGION: us-east-1, ENV: dev}
`,
	})
	noCluster := func(context.Context) (client.Client, error) {
		return nil, errors.New("the cluster must not be contacted")
	}
	ks, objs, c, err := localbuild.Run(context.Background(), localbuild.Input{
		Name: "apps", Namespace: "flux-system", Dir: filepath.Join(root, "apps"),
		KustomizationFile: filepath.Join(root, "ks.yaml"),
	}, noCluster)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c).To(BeNil())
	g.Expect(ks.Namespace).To(Equal("team"))
	g.Expect(objs).To(HaveLen(2))
	g.Expect(objs[0].GetLabels()).To(HaveKeyWithValue("kustomize.toolkit.fluxcd.io/namespace", "team"))
	data, _, _ := unstructured.NestedStringMap(objs[0].Object, "data")
	g.Expect(data).To(HaveKeyWithValue("region", "us-east-1"))
}

func TestBuildErrors(t *testing.T) {
	ctx := context.Background()
	ns := testkit.NewNamespace(t, cp.Client)
	createKustomization(t, appSpec(ns)) // its substituteFrom ConfigMap does not exist
	root := writeTree(t, map[string]string{
		"apps/app.yaml":             appFiles,
		"broken/kustomization.yaml": "resources: [missing.yaml]\n",
		"other.yaml":                "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: other}\n",
		"nodefault/cm.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: '${UNSET}'}\n",
		"dryrun.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\n" +
			"spec:\n  postBuild:\n    substitute: {A: b}\n    substituteFrom: [{kind: ConfigMap, name: vars}]\n",
	})
	tests := []struct {
		name    string
		args    []string
		wantErr []string
	}{
		{"dir does not exist", []string{"--path", filepath.Join(root, "nope")}, []string{"--path", "nope"}},
		{"dir is a file", []string{"--path", filepath.Join(root, "other.yaml")}, []string{"is not a directory"}},
		{"kustomize fails", []string{"--path", filepath.Join(root, "broken")}, []string{"kustomize build", "missing.yaml"}},
		{"substituteFrom missing", []string{"--path", filepath.Join(root, "apps")},
			[]string{"postBuild.substituteFrom ConfigMap", "vars", "not found"}},
		{"file names another Kustomization", []string{"--path", filepath.Join(root, "apps"),
			"--kustomization-file", filepath.Join(root, "other.yaml")}, []string{"is the Kustomization 'other', not 'apps'"}},
		{"dry run without file", []string{"--path", filepath.Join(root, "apps"), "--dry-run"}, []string{"--dry-run needs --kustomization-file"}},
		{"dry run skips substituteFrom", []string{"--path", filepath.Join(root, "nodefault"), "--dry-run",
			"--kustomization-file", filepath.Join(root, "dryrun.yaml")}, []string{"UNSET", "dry run skipped postBuild.substituteFrom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			cmd := buildcmd.New(kube.WithConfig(cp.Config, ns))
			cmd.SetArgs(append([]string{"kustomization", "apps"}, tt.args...))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.ExecuteContext(ctx)
			g.Expect(err).To(HaveOccurred())
			for _, s := range tt.wantErr {
				g.Expect(err.Error()).To(ContainSubstring(s))
			}
		})
	}
}

func parse(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		m := map[string]any{}
		data, err := yaml.YAMLToJSON(doc)
		if err == nil {
			err = utiljson.Unmarshal(data, &m) // numbers as int64, as unstructured wants
		}
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	return objs
}

func TestBuildReachesBasesInTheCheckout(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		".git/HEAD":                        "ref: refs/heads/main\n",
		"base/kustomization.yaml":          "resources: [app.yaml]\n",
		"base/app.yaml":                    appFiles,
		"overlays/prod/kustomization.yaml": "resources: [../../base]\nnameSuffix: -prod\n",
		"overlays/prod/ks.yaml":            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\n",
		"outside/kustomization.yaml":       "resources: [../../elsewhere]\n",
		"outside/ks.yaml":                  "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\n",
	})
	run := func(dir string) ([]*unstructured.Unstructured, error) {
		_, objs, _, err := localbuild.Run(context.Background(), localbuild.Input{
			Name: "apps", Namespace: "default", Dir: filepath.Join(root, dir),
			KustomizationFile: filepath.Join(root, dir, "ks.yaml"), DryRun: true,
		}, nil)
		return objs, err
	}
	objs, err := run("overlays/prod")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(objs).To(HaveLen(2))
	g.Expect(objs[0].GetName()).To(Equal("settings-prod"))

	_, err = run("outside")
	g.Expect(err).To(HaveOccurred(), "the build cannot leave the checkout")
}
