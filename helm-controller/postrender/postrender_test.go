package postrender

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// rendered is a chart's output as Helm hands it to a post-renderer.
const rendered = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    team: chart
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: slow
`

func release(spec helmv2.HelmReleaseSpec) *helmv2.HelmRelease {
	return &helmv2.HelmRelease{ObjectMeta: metav1.ObjectMeta{Namespace: "apps", Name: "web"}, Spec: spec}
}

// objects runs the chain and returns the output's objects by kind.
func objects(t *testing.T, obj *helmv2.HelmRelease) map[string]map[string]any {
	t.Helper()
	out, err := New(obj).Run(bytes.NewBufferString(rendered))
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string]map[string]any{}
	for _, doc := range strings.Split(out.String(), "\n---\n") {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("%v in %s", err, doc)
		}
		byKind[m["kind"].(string)] = m
	}
	return byKind
}

func field(obj map[string]any, path ...string) any {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func TestEveryObjectGetsTheOriginLabels(t *testing.T) {
	objs := objects(t, release(helmv2.HelmReleaseSpec{}))
	for kind, o := range objs {
		if field(o, "metadata", "labels", "helm.toolkit.fluxcd.io/name") != "web" ||
			field(o, "metadata", "labels", "helm.toolkit.fluxcd.io/namespace") != "apps" {
			t.Errorf("%s labels = %v, want the origin labels", kind, field(o, "metadata", "labels"))
		}
	}
	if field(objs["Deployment"], "spec", "selector", "matchLabels", "helm.toolkit.fluxcd.io/name") != nil {
		t.Error("the origin labels went into the Deployment's selector")
	}
}

func TestCommonMetadataGoesOnEveryObjectsMetadataOnly(t *testing.T) {
	objs := objects(t, release(helmv2.HelmReleaseSpec{CommonMetadata: &helmv2.CommonMetadata{
		Labels:      map[string]string{"team": "platform"},
		Annotations: map[string]string{"owner": "ops@example.com"},
	}}))
	for kind, o := range objs {
		if field(o, "metadata", "labels", "team") != "platform" || field(o, "metadata", "annotations", "owner") != "ops@example.com" {
			t.Errorf("%s metadata = %v, want the common labels and annotations (the chart's team label replaced)", kind, field(o, "metadata"))
		}
	}
	d := objs["Deployment"]
	if field(d, "spec", "selector", "matchLabels", "team") != nil || field(d, "spec", "template", "metadata", "labels", "team") != nil {
		t.Errorf("common labels went beyond metadata: %v", field(d, "spec"))
	}
}

func TestKustomizePatchesAndImagesApplyInOrder(t *testing.T) {
	objs := objects(t, release(helmv2.HelmReleaseSpec{PostRenderers: []helmv2.PostRenderer{
		{Kustomize: &helmv2.Kustomize{
			Patches: []kustomizev1.Patch{
				// Strategic merge, its target read from the patch.
				{Patch: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"},
				// JSON 6902 with a target.
				{Patch: `[{"op": "replace", "path": "/data/mode", "value": "fast"}]`,
					Target: &kustomizev1.Selector{Kind: "ConfigMap", Name: "settings"}},
			},
			Images: []kustomizev1.Image{{Name: "nginx", NewName: "registry.example.com/nginx", NewTag: "1.27"}},
		}},
		// A second post-renderer sees the first one's output.
		{Kustomize: &helmv2.Kustomize{Patches: []kustomizev1.Patch{
			{Patch: `[{"op": "replace", "path": "/spec/replicas", "value": 5}]`, Target: &kustomizev1.Selector{Kind: "Deployment"}},
		}}},
	}}))
	if got := field(objs["Deployment"], "spec", "replicas"); got != float64(5) {
		t.Errorf("replicas = %v, want 5 (3 from the first post-renderer, then 5)", got)
	}
	containers := field(objs["Deployment"], "spec", "template", "spec", "containers").([]any)
	if img := containers[0].(map[string]any)["image"]; img != "registry.example.com/nginx:1.27" {
		t.Errorf("image = %v", img)
	}
	if mode := field(objs["ConfigMap"], "data", "mode"); mode != "fast" {
		t.Errorf("mode = %v, want fast", mode)
	}
	if field(objs["ConfigMap"], "metadata", "labels", "helm.toolkit.fluxcd.io/name") != "web" {
		t.Error("origin labels missing after the kustomize post-renderers")
	}
}

func TestAPatchThatDoesNotApplyNamesItsPostRenderer(t *testing.T) {
	obj := release(helmv2.HelmReleaseSpec{PostRenderers: []helmv2.PostRenderer{
		{Kustomize: &helmv2.Kustomize{Images: []kustomizev1.Image{{Name: "nginx", NewTag: "1"}}}},
		{Kustomize: &helmv2.Kustomize{Patches: []kustomizev1.Patch{
			{Patch: `[{"op": "replace", "path": "/spec/missing/field", "value": 1}]`, Target: &kustomizev1.Selector{Kind: "Deployment"}},
		}}},
	}})
	_, err := New(obj).Run(bytes.NewBufferString(rendered))
	if err == nil || !strings.HasPrefix(err.Error(), "spec.postRenderers[1].kustomize: ") {
		t.Fatalf("err = %v, want it to name spec.postRenderers[1].kustomize", err)
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// TestDigestsAreFluxs: the digests are those of the JSON Flux's own types
// encode to, field for field.
func TestDigestsAreFluxs(t *testing.T) {
	renderers := []helmv2.PostRenderer{{Kustomize: &helmv2.Kustomize{
		Patches: []kustomizev1.Patch{{Patch: "p", Target: &kustomizev1.Selector{Group: "apps", Kind: "Deployment", Name: "web"}}},
		Images:  []kustomizev1.Image{{Name: "nginx", NewTag: "1.27"}},
	}}}
	flux := `[{"kustomize":{"patches":[{"patch":"p","target":{"group":"apps","kind":"Deployment","name":"web"}}],"images":[{"name":"nginx","newTag":"1.27"}]}}]` + "\n"
	if got := Digest(renderers); got != sha(flux) {
		t.Errorf("Digest = %s, want %s", got, sha(flux))
	}
	if got := Digest(nil); got != "" {
		t.Errorf("Digest(nil) = %q, want empty", got)
	}
	m := &helmv2.CommonMetadata{Labels: map[string]string{"b": "2", "a": "1"}, Annotations: map[string]string{"x": "y"}}
	if got, want := CommonMetadataDigest(m), sha(`{"annotations":{"x":"y"},"labels":{"a":"1","b":"2"}}`+"\n"); got != want {
		t.Errorf("CommonMetadataDigest = %s, want %s", got, want)
	}
}

// Helm 4 unwraps a chart's List into documents that keep its anchors, so
// an alias may point into an earlier document: the post-renderers still
// read the stream, each alias resolved.
func TestAliasesAcrossDocumentsAreResolved(t *testing.T) {
	stream := `apiVersion: v1
kind: ConfigMap
metadata:
  name: first
  labels: &shared
    app: web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: second
  labels: *shared
`
	out, err := New(release(helmv2.HelmReleaseSpec{})).Run(bytes.NewBufferString(stream))
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(out.String(), "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want 2:\n%s", len(docs), out)
	}
	for _, doc := range docs {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		if field(m, "metadata", "labels", "app") != "web" || field(m, "metadata", "labels", "helm.toolkit.fluxcd.io/name") != "web" {
			t.Errorf("%v labels = %v, want app=web and the origin labels", field(m, "metadata", "name"), field(m, "metadata", "labels"))
		}
	}
}
