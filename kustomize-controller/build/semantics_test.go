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
	objs, err = build.PostBuild(objs, spec, spec.PostBuild.Substitute)
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
