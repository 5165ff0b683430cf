package v1_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/testkit"
)

var cp *testkit.ControlPlane

func TestMain(m *testing.M) { testkit.Main(m, &cp) }

// addScheme puts the image kinds into the shared control plane's scheme
// (testkit's knows only the kinds of the controllers it starts), so that
// objects can be read back typed.
var addScheme sync.Once

// create sends an object of kind written as a user writes it (YAML, so that
// only the fields given are sent), reads it back into into, and returns the
// apiserver's verdict.
func create(t *testing.T, ns, kind, manifest string, into client.Object) error {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &obj.Object); err != nil {
		t.Fatal(err)
	}
	obj.SetAPIVersion(imagev1.GroupVersion.String())
	obj.SetKind(kind)
	obj.SetGenerateName("app-")
	obj.SetNamespace(ns)
	if err := cp.Client.Create(context.Background(), obj); err != nil {
		return err
	}
	if into != nil {
		addScheme.Do(func() {
			if err := imagev1.AddToScheme(cp.Scheme); err != nil {
				t.Fatal(err)
			}
		})
		if err := cp.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), into); err != nil {
			t.Fatal(err)
		}
	}
	return nil
}

// expectVerdict checks the apiserver's verdict on a manifest: accepted when
// wantError is empty, otherwise rejected with a message containing it.
func expectVerdict(t *testing.T, ns, kind, manifest, wantError string) {
	t.Helper()
	err := create(t, ns, kind, manifest, nil)
	switch {
	case wantError == "" && err != nil:
		t.Fatalf("rejected: %v", err)
	case wantError != "" && err == nil:
		t.Fatalf("accepted, want rejected on %q", wantError)
	case wantError != "" && !strings.Contains(err.Error(), wantError):
		t.Fatalf("rejected with %q, want a message naming %q", err, wantError)
	}
}

// The three kinds are served under Flux's short names and category, so
// `kubectl get fluxcd-images` and `kubectl get imgpol` work as with Flux.
func TestImageKindsDiscovery(t *testing.T) {
	dc, err := discovery.NewDiscoveryClientForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dc.ServerResourcesForGroupVersion(imagev1.GroupVersion.String())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ kind, shortNames string }{
		"imagerepositories":      {imagev1.ImageRepositoryKind, "imgrepo,imagerepo"},
		"imagepolicies":          {imagev1.ImagePolicyKind, "imgpol,imagepol"},
		"imageupdateautomations": {imagev1.ImageUpdateAutomationKind, "iua,imgupd,imgauto"},
	}
	for _, r := range list.APIResources {
		w, ok := want[r.Name]
		if !ok {
			continue
		}
		delete(want, r.Name)
		if r.Kind != w.kind {
			t.Errorf("%s: kind = %q, want %q", r.Name, r.Kind, w.kind)
		}
		if strings.Join(r.ShortNames, ",") != w.shortNames {
			t.Errorf("%s: short names = %v, want %s", r.Name, r.ShortNames, w.shortNames)
		}
		if strings.Join(r.Categories, ",") != "all,fluxcd,fluxcd-images" {
			t.Errorf("%s: categories = %v, want all, fluxcd, fluxcd-images", r.Name, r.Categories)
		}
	}
	for name := range want {
		t.Errorf("%s not served in %s", name, imagev1.GroupVersion)
	}
}
