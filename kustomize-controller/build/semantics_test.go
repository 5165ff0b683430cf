package build_test

import (
	"testing"

	. "github.com/onsi/gomega"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/kustomize-controller/build"
)

// Tests of how the spec fields combine with the source's kustomization.yaml,
// where Flux's behaviour is the contract.

// containerImage returns the image of the first container of a workload.
func containerImage(o *unstructured.Unstructured) string {
	containers, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
	if len(containers) == 0 {
		return ""
	}
	image, _ := containers[0].(map[string]any)["image"].(string)
	return image
}

func TestBuild_SpecImagesReplaceTheKustomizationsEntryOfTheSameName(t *testing.T) {
	files := map[string]string{
		"kustomization.yaml": `resources: [deploy.yaml]
images:
- name: nginx
  newName: registry.example.com/mirror/nginx
  newTag: "1.1"
- name: busybox
  newTag: "9"
`,
		"deploy.yaml": deployment,
	}
	tests := []struct {
		name   string
		images []kustomizev1.Image
		want   string
	}{{
		// Flux replaces the whole entry: the file's newName goes too.
		name:   "a spec entry for the same name wins over the file's, whole",
		images: []kustomizev1.Image{{Name: "nginx", NewTag: "2.0"}},
		want:   "nginx:2.0",
	}, {
		name:   "a spec entry for another name leaves the file's entry alone",
		images: []kustomizev1.Image{{Name: "busybox", NewTag: "2.0"}},
		want:   "registry.example.com/mirror/nginx:1.1",
	}, {
		name:   "of two spec entries for one name, the last wins",
		images: []kustomizev1.Image{{Name: "nginx", NewTag: "2.0"}, {Name: "nginx", NewName: "other/nginx"}},
		want:   "other/nginx:1.0",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			root := writeTree(t, files)
			objs, err := build.Build(root, build.Options{Images: tt.images})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(containerImage(find(objs, "Deployment", "app"))).To(Equal(tt.want))
		})
	}
}

func TestPostBuild_CommonMetadataOnTheObjectsOwnMetadataOnly(t *testing.T) {
	g := NewWithT(t)
	root := writeTree(t, map[string]string{
		"kustomization.yaml": "resources: [deploy.yaml, cm.yaml]\n",
		"deploy.yaml":        deployment,
		"cm.yaml":            configMap("cm"),
	})
	spec := &kustomizev1.KustomizationSpec{
		CommonMetadata: &kustomizev1.CommonMetadata{
			Labels:      map[string]string{"team": "a", "app": "common"},
			Annotations: map[string]string{"owner": "x", "note": "${NOT_SUBSTITUTED}"},
		},
		PostBuild: &kustomizev1.PostBuild{Substitute: map[string]string{"ENV": "prod"}},
	}
	objs, err := build.Build(root, build.OptionsFor(spec))
	g.Expect(err).NotTo(HaveOccurred())
	objs, err = build.PostBuild(objs, spec, spec.PostBuild.Substitute, build.PostBuildOptions{})
	g.Expect(err).NotTo(HaveOccurred(), "commonMetadata is set after substitution, so its ${...} is left alone")

	for _, o := range objs {
		g.Expect(o.GetLabels()).To(HaveKeyWithValue("team", "a"))
		g.Expect(o.GetLabels()).To(HaveKeyWithValue("app", "common"), "over the object's own label")
		g.Expect(o.GetAnnotations()).To(Equal(map[string]string{"owner": "x", "note": "${NOT_SUBSTITUTED}"}))
	}
	dep := find(objs, "Deployment", "app")
	field := func(path ...string) any {
		v, _, _ := unstructured.NestedFieldNoCopy(dep.Object, path...)
		return v
	}
	g.Expect(field("spec", "selector", "matchLabels")).To(Equal(map[string]any{"app": "app"}))
	// The pod template is untouched: a change of commonMetadata rolls nothing out.
	g.Expect(field("spec", "template", "metadata")).To(Equal(map[string]any{"labels": map[string]any{"app": "app"}}))
}

func TestBuild_Components(t *testing.T) {
	files := map[string]string{
		"apps/app/kustomization.yaml":   "resources: [cm.yaml]\n",
		"apps/app/cm.yaml":              configMap("cm"),
		"apps/extra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [extra.yaml]\n",
		"apps/extra/extra.yaml":         configMap("extra"),
		"apps/plain/cm.yaml":            configMap("plain"),
	}
	tests := []struct {
		name    string
		path    string
		opts    build.Options
		wantIDs []string
		wantErr []string
	}{{
		name:    "a missing component is dropped with ignoreMissingComponents",
		path:    "apps/app",
		opts:    build.Options{Components: []string{"../missing", "../extra"}, IgnoreMissingComponents: true},
		wantIDs: []string{"ConfigMap/cm", "ConfigMap/extra"},
	}, {
		name:    "also from a generated kustomization",
		path:    "apps/plain",
		opts:    build.Options{Components: []string{"../missing", "../extra"}, IgnoreMissingComponents: true},
		wantIDs: []string{"ConfigMap/extra", "ConfigMap/plain"},
	}, {
		name:    "a missing component fails the build without it, naming the component",
		path:    "apps/app",
		opts:    build.Options{Components: []string{"../missing"}},
		wantErr: []string{"spec.components: '../missing' is not in the source", "spec.ignoreMissingComponents"},
	}, {
		name:    "a remote component is refused, as in Flux",
		path:    "apps/app",
		opts:    build.Options{Components: []string{"https://github.com/example/repo//components/x"}, IgnoreMissingComponents: true},
		wantErr: []string{"spec.components: 'https://github.com/example/repo//components/x' must be a local path relative to spec.path"},
	}, {
		name:    "an absolute component is refused, as in Flux",
		path:    "apps/app",
		opts:    build.Options{Components: []string{"/apps/extra"}},
		wantErr: []string{"spec.components: '/apps/extra' must be a local path"},
	}, {
		name:    "a file:// component is refused, as in Flux",
		path:    "apps/app",
		opts:    build.Options{Components: []string{"file:///apps/extra"}},
		wantErr: []string{"spec.components: 'file:///apps/extra' must be a local path"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			root := writeTree(t, files)
			tt.opts.Path = tt.path
			objs, err := build.Build(root, tt.opts)
			if tt.wantErr != nil {
				g.Expect(err).To(HaveOccurred())
				for _, w := range tt.wantErr {
					g.Expect(err.Error()).To(ContainSubstring(w))
				}
				g.Expect(err.Error()).NotTo(ContainSubstring(root))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(ids(objs)).To(ConsistOf(tt.wantIDs))
		})
	}
}

func TestBuild_BuildMetadata(t *testing.T) {
	const origin, transformations = "config.kubernetes.io/origin", "alpha.config.kubernetes.io/transformations"
	tests := []struct {
		name     string
		kus      string // the source's kustomization.yaml, none when empty
		metadata []string
		want     []string // annotations on the ConfigMap
		absent   []string
	}{{
		name:     "origin annotations",
		kus:      "resources: [cm.yaml]\n",
		metadata: []string{"originAnnotations"},
		want:     []string{origin},
		absent:   []string{transformations},
	}, {
		name:     "transformer annotations",
		kus:      "resources: [cm.yaml]\nnamePrefix: p-\n",
		metadata: []string{"transformerAnnotations"},
		want:     []string{transformations},
		absent:   []string{origin},
	}, {
		name:     "the spec replaces the file's buildMetadata",
		kus:      "resources: [cm.yaml]\nnamePrefix: p-\nbuildMetadata: [transformerAnnotations]\n",
		metadata: []string{"originAnnotations"},
		want:     []string{origin},
		absent:   []string{transformations},
	}, {
		name:   "without it the file's buildMetadata stays",
		kus:    "resources: [cm.yaml]\nnamePrefix: p-\nbuildMetadata: [transformerAnnotations]\n",
		want:   []string{transformations},
		absent: []string{origin},
	}, {
		name:     "a generated kustomization too",
		metadata: []string{"originAnnotations", "transformerAnnotations"},
		want:     []string{origin},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			files := map[string]string{"cm.yaml": configMap("cm")}
			if tt.kus != "" {
				files["kustomization.yaml"] = tt.kus
			}
			objs, err := build.Build(writeTree(t, files), build.Options{BuildMetadata: tt.metadata})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(objs).To(HaveLen(1))
			annotations := objs[0].GetAnnotations()
			for _, k := range tt.want {
				g.Expect(annotations).To(HaveKey(k))
			}
			for _, k := range tt.absent {
				g.Expect(annotations).NotTo(HaveKey(k))
			}
			if tt.metadata != nil && annotations[origin] != "" {
				g.Expect(annotations[origin]).To(ContainSubstring("path: cm.yaml"))
			}
		})
	}
}

func TestPostBuild_SubstituteStrategy(t *testing.T) {
	cm := func() []*unstructured.Unstructured {
		return []*unstructured.Unstructured{object(t, cmWith("  env: ${ENV:=dev}\n"))}
	}
	data := func(objs []*unstructured.Unstructured) any { return objs[0].Object["data"] }
	tests := []struct {
		name     string
		strategy kustomizev1.SubstituteStrategy
		vars     map[string]string
		want     any
	}{
		{name: "WithVariables, no variable: left as written", strategy: kustomizev1.SubstituteStrategyWithVariables,
			want: map[string]any{"env": "${ENV:=dev}"}},
		{name: "unset is WithVariables", want: map[string]any{"env": "${ENV:=dev}"}},
		{name: "WithVariables, a variable: substituted", vars: map[string]string{"OTHER": "x"},
			want: map[string]any{"env": "dev"}},
		{name: "Always, no variable: defaults apply", strategy: kustomizev1.SubstituteStrategyAlways,
			want: map[string]any{"env": "dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			spec := &kustomizev1.KustomizationSpec{PostBuild: &kustomizev1.PostBuild{SubstituteStrategy: tt.strategy}}
			out, err := build.PostBuild(cm(), spec, tt.vars, build.PostBuildOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(data(out)).To(Equal(tt.want))
		})
	}
	t.Run("Always, no variable: a reference without default fails", func(t *testing.T) {
		g := NewWithT(t)
		spec := &kustomizev1.KustomizationSpec{PostBuild: &kustomizev1.PostBuild{SubstituteStrategy: kustomizev1.SubstituteStrategyAlways}}
		_, err := build.PostBuild([]*unstructured.Unstructured{object(t, cmWith("  env: ${ENV}\n"))}, spec, nil, build.PostBuildOptions{})
		g.Expect(err).To(MatchError(ContainSubstring("variable 'ENV' is not set")))
	})
	t.Run("without spec.postBuild nothing is substituted", func(t *testing.T) {
		g := NewWithT(t)
		out, err := build.PostBuild(cm(), &kustomizev1.KustomizationSpec{}, map[string]string{"ENV": "x"}, build.PostBuildOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(data(out)).To(Equal(map[string]any{"env": "${ENV:=dev}"}))
	})
}

// With Flux's StrictPostBuildSubstitutions gate off, a variable that is not
// set reads as the empty string.
func TestPostBuild_NotStrict(t *testing.T) {
	g := NewWithT(t)
	spec := &kustomizev1.KustomizationSpec{PostBuild: &kustomizev1.PostBuild{}}
	in := []*unstructured.Unstructured{object(t, cmWith("  a: x${MISSING}y\n  b: ${MISSING^^}\n  c: ${ENV}\n  d: ${MISSING:=dev}\n"))}
	out, err := build.PostBuild(in, spec, map[string]string{"ENV": "prod"}, build.PostBuildOptions{NotStrict: true})
	g.Expect(err).NotTo(HaveOccurred())
	// As in Flux, a value left empty is read back as YAML null.
	g.Expect(out[0].Object["data"]).To(Equal(map[string]any{"a": "xy", "b": nil, "c": "prod", "d": "dev"}))

	_, err = build.PostBuild(in, spec, map[string]string{"ENV": "prod"}, build.PostBuildOptions{})
	g.Expect(err).To(MatchError(ContainSubstring("variable 'MISSING' is not set")))
}
