package build_test

import (
	"fmt"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/kustomize-controller/build"
)

func TestBuild_PlainKustomization(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"apps/kustomization.yaml": "resources: [deploy.yaml, cm.yaml]\nnamePrefix: my-\n",
		"apps/deploy.yaml":        deployment,
		"apps/cm.yaml":            configMap("cm"),
		"apps/unlisted.yaml":      configMap("unlisted"),
	})

	objs, err := build.Build(root, build.Options{
		Path:   "./apps",
		Labels: map[string]string{"kustomize.toolkit.fluxcd.io/name": "apps", "app": "owner"},
	})
	g.Expect(err).NotTo(HaveOccurred())
	// Like Flux, the order is the kustomization's, not kustomize's legacy kind order.
	g.Expect(objs).To(HaveLen(2))
	g.Expect(objs[0].GetKind()).To(Equal("Deployment"))
	g.Expect(ids(objs)).To(Equal([]string{"ConfigMap/my-cm", "Deployment/my-app"}))

	dep := find(objs, "Deployment", "my-app")
	g.Expect(dep.GetLabels()).To(Equal(map[string]string{
		"kustomize.toolkit.fluxcd.io/name": "apps",
		"app":                              "owner", // the owner label wins over the object's
	}))
	replicas, _, _ := unstructured.NestedInt64(dep.Object, "spec", "replicas")
	g.Expect(replicas).To(Equal(int64(1)), "numbers come out as int64")
}

func TestBuild_RootPathForms(t *testing.T) {
	root := writeTree(t, map[string]string{
		"kustomization.yaml": "resources: [cm.yaml]\n",
		"cm.yaml":            configMap("cm"),
	})
	for _, path := range []string{"", "./", ".", "/"} {
		t.Run(fmt.Sprintf("%q", path), func(t *testing.T) {
			g := NewWithT(t)
			objs, err := build.Build(root, build.Options{Path: path})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ids(objs)).To(Equal([]string{"ConfigMap/cm"}))
		})
	}
}

func TestBuild_GeneratesKustomization(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"apps/deploy.yaml":                 deployment,
		"apps/configs/cm.yml":              configMap("cm"),
		"apps/configs/multi.yaml":          configMap("multi-1") + "---\n" + configMap("multi-2"),
		"apps/values.yaml":                 "replicaCount: 2\nimage: nginx\n", // not a Kubernetes object
		"apps/empty.yaml":                  "",
		"apps/README.md":                   "# not YAML: at all {",
		"apps/.hidden/cm.yaml":             configMap("hidden"),
		"apps/nested/kustomization.yaml":   "resources: [svc.yaml]\nnamePrefix: nested-\n",
		"apps/nested/svc.yaml":             service,
		"apps/nested/not-listed.yaml":      configMap("not-listed"),
		"apps/nested/deeper/cm.yaml":       configMap("deeper-not-listed"),
		"apps/sub/kustomization.yml":       "resources: [cm.yaml]\n",
		"apps/sub/cm.yaml":                 configMap("sub"),
		"apps/sub2/Kustomization":          "resources: [cm.yaml]\n",
		"apps/sub2/cm.yaml":                configMap("sub2"),
		"apps/deep/er/still/deeper/x.yaml": configMap("deep"),
	})

	objs, err := build.Build(root, build.Options{Path: "apps"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(Equal([]string{
		"ConfigMap/cm",
		"ConfigMap/deep",
		"ConfigMap/multi-1",
		"ConfigMap/multi-2",
		"ConfigMap/sub",
		"ConfigMap/sub2",
		"Deployment/app",
		"Service/nested-svc", // the nested kustomization was built as a unit
	}))
}

func TestBuild_GeneratedFolderWithSpecFields(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"deploy.yaml": deployment,
		"cm.yaml":     configMap("cm"),
	})
	objs, err := build.Build(root, build.Options{TargetNamespace: "prod", NameSuffix: "-v2"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(Equal([]string{"ConfigMap/prod/cm-v2", "Deployment/prod/app-v2"}))
}

func TestBuild_EmptyFolder(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{"apps/values.yaml": "a: b\n"})
	objs, err := build.Build(root, build.Options{Path: "apps"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(objs).To(BeEmpty())
}

func TestBuild_SpecFields(t *testing.T) {
	files := map[string]string{
		"apps/app/kustomization.yaml": "resources: [deploy.yaml, cm.yaml]\n",
		"apps/app/deploy.yaml":        deployment,
		"apps/app/cm.yaml":            configMap("cm"),
		"apps/components/extra/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [extra.yaml]
patches:
- patch: |
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: app
    spec:
      replicas: 7
`,
		"apps/components/extra/extra.yaml": configMap("extra"),
	}
	dep := func(objs []*unstructured.Unstructured) *unstructured.Unstructured {
		for _, o := range objs {
			if o.GetKind() == "Deployment" {
				return o
			}
		}
		return nil
	}
	field := func(o *unstructured.Unstructured, path ...string) any {
		v, _, _ := unstructured.NestedFieldNoCopy(o.Object, path...)
		return v
	}
	image := func(o *unstructured.Unstructured) any {
		containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
		return containers[0].(map[string]any)["image"]
	}

	tests := []struct {
		name    string
		opts    build.Options
		wantIDs []string
		check   func(g *WithT, objs []*unstructured.Unstructured)
		wantErr string
	}{
		{
			name:    "target namespace",
			opts:    build.Options{TargetNamespace: "prod"},
			wantIDs: []string{"ConfigMap/prod/cm", "Deployment/prod/app"},
		},
		{
			name:    "name prefix and suffix",
			opts:    build.Options{NamePrefix: "p-", NameSuffix: "-s"},
			wantIDs: []string{"ConfigMap/p-cm-s", "Deployment/p-app-s"},
		},
		{
			name: "images: new tag",
			opts: build.Options{Images: []kustomizev1.Image{{Name: "nginx", NewTag: "2.0"}}},
			check: func(g *WithT, objs []*unstructured.Unstructured) {
				g.Expect(image(dep(objs))).To(Equal("nginx:2.0"))
			},
		},
		{
			name: "images: new name and digest",
			opts: build.Options{Images: []kustomizev1.Image{{
				Name: "nginx", NewName: "registry.example.com/nginx",
				Digest: "sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3",
			}}},
			check: func(g *WithT, objs []*unstructured.Unstructured) {
				g.Expect(image(dep(objs))).To(Equal("registry.example.com/nginx@sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3"))
			},
		},
		{
			name: "strategic merge patch with a target",
			opts: build.Options{Patches: []kustomizev1.Patch{{
				Patch: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: not-used
spec:
  replicas: 3
`,
				Target: &kustomizev1.Selector{Kind: "Deployment", LabelSelector: "app=app"},
			}}},
			check: func(g *WithT, objs []*unstructured.Unstructured) {
				g.Expect(field(dep(objs), "spec", "replicas")).To(Equal(int64(3)))
			},
		},
		{
			name: "JSON 6902 patch with a target",
			opts: build.Options{Patches: []kustomizev1.Patch{{
				Patch:  "- op: replace\n  path: /spec/replicas\n  value: 5\n- op: add\n  path: /metadata/annotations\n  value: {patched: \"yes\"}\n",
				Target: &kustomizev1.Selector{Group: "apps", Version: "v1", Kind: "Deployment", Name: "app"},
			}}},
			check: func(g *WithT, objs []*unstructured.Unstructured) {
				d := dep(objs)
				g.Expect(field(d, "spec", "replicas")).To(Equal(int64(5)))
				g.Expect(d.GetAnnotations()).To(HaveKeyWithValue("patched", "yes"))
				g.Expect(find(objs, "ConfigMap", "cm").GetAnnotations()).NotTo(HaveKey("patched"))
			},
		},
		{
			name:    "components relative to the path",
			opts:    build.Options{Components: []string{"../components/extra"}},
			wantIDs: []string{"ConfigMap/cm", "ConfigMap/extra", "Deployment/app"},
			check: func(g *WithT, objs []*unstructured.Unstructured) {
				g.Expect(field(dep(objs), "spec", "replicas")).To(Equal(int64(7)))
			},
		},
		{
			name: "ignore missing components",
			opts: build.Options{
				Components:              []string{"../components/missing", "../components/extra"},
				IgnoreMissingComponents: true,
			},
			wantIDs: []string{"ConfigMap/cm", "ConfigMap/extra", "Deployment/app"},
		},
		{
			name:    "a missing component fails without IgnoreMissingComponents",
			opts:    build.Options{Components: []string{"../components/missing"}},
			wantErr: "spec.components: '../components/missing' is not in the source",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			root := writeTree(t, files)
			tt.opts.Path = "apps/app"
			objs, err := build.Build(root, tt.opts)
			if tt.wantErr != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tt.wantErr)))
				t.Log(err)
				g.Expect(err.Error()).To(ContainSubstring("components/missing"))
				g.Expect(err.Error()).NotTo(ContainSubstring(root))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			if tt.wantIDs != nil {
				g.Expect(ids(objs)).To(Equal(tt.wantIDs))
			}
			if tt.check != nil {
				tt.check(g, objs)
			}
		})
	}
}

func TestBuild_SpecFieldsOverrideTheKustomization(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"kustomization.yaml": "namespace: dev\nnamePrefix: dev-\ncommonAnnotations: {owner: dev, keep: me}\nresources: [cm.yaml]\n",
		"cm.yaml":            configMap("cm"),
	})
	objs, err := build.Build(root, build.Options{
		TargetNamespace: "prod",
		NamePrefix:      "prod-",
	})
	g.Expect(err).NotTo(HaveOccurred())
	objs, err = build.PostBuild(objs, &kustomizev1.KustomizationSpec{
		CommonMetadata: &kustomizev1.CommonMetadata{Annotations: map[string]string{"owner": "prod"}},
	}, nil, build.PostBuildOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(Equal([]string{"ConfigMap/prod/prod-cm"}))
	g.Expect(objs[0].GetAnnotations()).To(Equal(map[string]string{"owner": "prod", "keep": "me"}))
}

func TestBuild_ComponentAsPath(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cm.yaml]\n",
		"cm.yaml":            configMap("cm"),
	})
	_, err := build.Build(root, build.Options{TargetNamespace: "x"})
	g.Expect(err).To(MatchError(ContainSubstring("'kustomization.yaml' is a kustomize Component")))
}

func TestBuild_PathNotFound(t *testing.T) {
	root := writeTree(t, map[string]string{"apps/cm.yaml": configMap("cm")})
	tests := []struct {
		path string
		want string
	}{
		{path: "./nope", want: "'./nope' does not exist in the source; check spec.path"},
		{path: "apps/cm.yaml", want: "'apps/cm.yaml' is a file, not a directory; check spec.path"},
		{path: "../../nope", want: "'../../nope' does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			g := NewWithT(t)
			_, err := build.Build(root, build.Options{Path: tt.path})
			g.Expect(err).To(MatchError(build.ErrPathNotFound))
			g.Expect(err.Error()).To(ContainSubstring(tt.want))
		})
	}
}

func TestBuild_InvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name: "invalid YAML in a listed resource",
			files: map[string]string{
				"apps/kustomization.yaml": "resources: [bad.yaml]\n",
				"apps/bad.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n",
			},
			want: []string{"kustomize build of 'apps' failed", "bad.yaml"},
		},
		{
			name: "invalid YAML in a folder without kustomization",
			files: map[string]string{
				"apps/good.yaml": configMap("good"),
				"apps/bad.yaml":  "apiVersion: v1\nkind: [ConfigMap\n",
			},
			want: []string{"'apps/bad.yaml' is not valid YAML"},
		},
		{
			name: "a listed resource is missing",
			files: map[string]string{
				"apps/kustomization.yaml": "resources: [cm.yaml, missing.yaml]\n",
				"apps/cm.yaml":            configMap("cm"),
			},
			want: []string{"kustomize build of 'apps' failed", "missing.yaml"},
		},
		{
			name: "invalid kustomization file with spec fields to apply",
			files: map[string]string{
				"apps/kustomization.yaml": "resourcez: [cm.yaml]\n",
				"apps/cm.yaml":            configMap("cm"),
			},
			want: []string{"kustomization file 'apps/kustomization.yaml' is invalid", "resourcez"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			root := writeTree(t, tt.files)
			_, err := build.Build(root, build.Options{Path: "apps", NamePrefix: "x-"})
			g.Expect(err).To(HaveOccurred())
			t.Log(err)
			for _, w := range tt.want {
				g.Expect(err.Error()).To(ContainSubstring(w))
			}
			g.Expect(err.Error()).NotTo(ContainSubstring(root), "paths are shown relative to the source")
		})
	}
}

func TestBuild_BaseInSiblingFolder(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"base/kustomization.yaml":           "resources: [deploy.yaml]\n",
		"base/deploy.yaml":                  deployment,
		"overlays/prod/kustomization.yaml":  "resources: [../../base, cm.yaml]\nnamePrefix: prod-\n",
		"overlays/prod/cm.yaml":             configMap("cm"),
		"overlays/prod/patch.yaml":          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec: {replicas: 4}\n",
		"overlays/stage/kustomization.yaml": "resources: [../../base]\npatches: [{path: ../prod/patch.yaml}]\n",
	})
	objs, err := build.Build(root, build.Options{Path: "overlays/prod"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ids(objs)).To(Equal([]string{"ConfigMap/prod-cm", "Deployment/prod-app"}))

	objs, err = build.Build(root, build.Options{Path: "overlays/stage"})
	g.Expect(err).NotTo(HaveOccurred())
	replicas, _, _ := unstructured.NestedInt64(objs[0].Object, "spec", "replicas")
	g.Expect(replicas).To(Equal(int64(4)), "a patch file in a sibling folder is read")
}

func TestBuild_NeverWritesToRoot(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"plain/deploy.yaml":             deployment,
		"plain/nested/cm.yaml":          configMap("cm"),
		"kustomized/kustomization.yaml": "resources: [cm.yaml]\n",
		"kustomized/cm.yaml":            configMap("cm"),
	})
	before := snapshot(t, root)
	all := build.Options{
		TargetNamespace: "ns", NamePrefix: "p-", NameSuffix: "-s",
		Images:  []kustomizev1.Image{{Name: "nginx", NewTag: "2"}},
		Patches: []kustomizev1.Patch{{Patch: "- op: add\n  path: /metadata/annotations\n  value: {x: y}\n", Target: &kustomizev1.Selector{Kind: "ConfigMap"}}},
	}
	for _, path := range []string{"plain", "kustomized"} {
		for _, opts := range []build.Options{{}, all} {
			opts.Path = path
			_, err := build.Build(root, opts)
			g.Expect(err).NotTo(HaveOccurred())
		}
	}
	g.Expect(snapshot(t, root)).To(Equal(before))
}

func TestBuild_ConcurrentBuildsAreIndependent(t *testing.T) {
	root := writeTree(t, map[string]string{
		"plain/deploy.yaml":             deployment,
		"kustomized/kustomization.yaml": "resources: [cm.yaml]\n",
		"kustomized/cm.yaml":            configMap("cm"),
	})
	before := snapshot(t, root)
	type result struct {
		got, want []string
		err       error
	}
	results := make([]result, 20)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, kind, name := "plain", "Deployment", "app"
			if i%2 == 1 {
				path, kind, name = "kustomized", "ConfigMap", "cm"
			}
			ns, prefix := fmt.Sprintf("ns-%d", i), fmt.Sprintf("p%d-", i)
			objs, err := build.Build(root, build.Options{
				Path: path, TargetNamespace: ns, NamePrefix: prefix,
				Labels: map[string]string{"build": fmt.Sprint(i)},
			})
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName()+"/"+o.GetLabels()["build"])
			}
			results[i] = result{got: got, want: []string{fmt.Sprintf("%s/%s/%s%s/%d", kind, ns, prefix, name, i)}, err: err}
		}()
	}
	wg.Wait()
	g := NewWithT(t)
	for _, r := range results {
		g.Expect(r.err).NotTo(HaveOccurred())
		g.Expect(r.got).To(Equal(r.want))
	}
	g.Expect(snapshot(t, root)).To(Equal(before))
}

func TestOptionsFor(t *testing.T) {
	g := NewWithT(t)
	spec := &kustomizev1.KustomizationSpec{
		Path:                    "./apps",
		TargetNamespace:         "ns",
		NamePrefix:              "p-",
		NameSuffix:              "-s",
		CommonMetadata:          &kustomizev1.CommonMetadata{Labels: map[string]string{"a": "b"}},
		Images:                  []kustomizev1.Image{{Name: "nginx", NewTag: "2"}},
		Patches:                 []kustomizev1.Patch{{Patch: "x", Target: &kustomizev1.Selector{Kind: "Deployment"}}},
		Components:              []string{"../c"},
		IgnoreMissingComponents: true,
		BuildMetadata:           []kustomizev1.BuildMetadataOption{kustomizev1.BuildMetadataOriginAnnotations},
		PostBuild:               &kustomizev1.PostBuild{Substitute: map[string]string{"A": "b"}},
	}
	opts := build.OptionsFor(spec)
	g.Expect(opts).To(Equal(build.Options{
		Path:                    "./apps",
		TargetNamespace:         "ns",
		NamePrefix:              "p-",
		NameSuffix:              "-s",
		Images:                  []kustomizev1.Image{{Name: "nginx", NewTag: "2"}},
		Patches:                 []kustomizev1.Patch{{Patch: "x", Target: &kustomizev1.Selector{Kind: "Deployment"}}},
		Components:              []string{"../c"},
		IgnoreMissingComponents: true,
		BuildMetadata:           []string{"originAnnotations"},
	}))
	// The options are a copy: changing them leaves the spec alone.
	opts.Patches[0].Target.Kind = "changed"
	g.Expect(spec.Patches[0].Target.Kind).To(Equal("Deployment"))
}
