package objects

import (
	"strings"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

func TestRowFor(t *testing.T) {
	tests := []struct {
		name string
		obj  Object
		want Row
	}{
		{"new", &kustomizev1.Kustomization{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "n"}},
			Row{Kind: "Kustomization", Namespace: "n", Name: "a", Ready: "Unknown", Message: "waiting to be reconciled"}},
		{"ready", &sourcev1.GitRepository{
			ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "n"},
			Spec:       sourcev1.GitRepositorySpec{Suspend: true},
			Status: sourcev1.GitRepositoryStatus{
				Artifact:   &meta.Artifact{Revision: "main@sha1:1"},
				Conditions: []metav1.Condition{{Type: meta.ReadyCondition, Status: metav1.ConditionTrue, Message: "stored"}},
			}},
			Row{Kind: "GitRepository", Namespace: "n", Name: "r", Revision: "main@sha1:1", Suspended: true, Ready: "True", Message: "stored"}},
		{"oci artifact", &sourcev1.OCIRepository{
			ObjectMeta: metav1.ObjectMeta{Name: "o", Namespace: "n"},
			Status:     sourcev1.OCIRepositoryStatus{Artifact: &meta.Artifact{Revision: "latest@sha256:2"}}},
			Row{Kind: "OCIRepository", Namespace: "n", Name: "o", Revision: "latest@sha256:2", Ready: "Unknown", Message: "waiting to be reconciled"}},
		{"static helm repository", &sourcev1.HelmRepository{
			ObjectMeta: metav1.ObjectMeta{Name: "h", Namespace: "n"},
			Spec:       sourcev1.HelmRepositorySpec{Type: sourcev1.HelmRepositoryTypeOCI}},
			Row{Kind: "HelmRepository", Namespace: "n", Name: "h", Ready: "Unknown", Message: StaticMessage}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, _ := KindFor(tt.obj.GetObjectKind().GroupVersionKind().Kind)
			if k == nil {
				tt.obj.GetObjectKind().SetGroupVersionKind(kindOf(tt.obj).GVK())
			}
			if got := RowFor(tt.obj); got != tt.want {
				t.Errorf("RowFor = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func kindOf(o Object) *Kind {
	switch o.(type) {
	case *sourcev1.GitRepository:
		return GitRepository
	case *sourcev1.HelmRepository:
		return HelmRepository
	case *sourcev1.OCIRepository:
		return OCIRepository
	}
	return Kustomization
}

func TestKindFor(t *testing.T) {
	for in, want := range map[string]*Kind{"ks": Kustomization, "Kustomization": Kustomization, "gitrepository": GitRepository, "GitRepo": GitRepository,
		"HelmRepository": HelmRepository, "helmrepo": HelmRepository, "helmchart": HelmChart, "OCIRepository": OCIRepository, "ocirepo": OCIRepository, "HelmRelease": HelmRelease, "hr": HelmRelease} {
		if got, err := KindFor(in); err != nil || got != want {
			t.Errorf("KindFor(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := KindFor("Bucket"); err == nil {
		t.Error("KindFor(Bucket) should fail")
	}
}

func TestCleanDropsServerFields(t *testing.T) {
	obj := Kustomization.New()
	obj.SetName("a")
	obj.SetNamespace("n")
	obj.SetUID("u")
	obj.SetResourceVersion("1")
	obj.SetGeneration(3)
	obj.SetFinalizers([]string{"f"})
	obj.SetAnnotations(map[string]string{meta.ReconcileRequestAnnotation: "t", "keep": "me"})
	c, err := Clean(obj)
	if err != nil {
		t.Fatal(err)
	}
	md := c["metadata"].(map[string]any)
	if len(md) != 3 || md["name"] != "a" || md["namespace"] != "n" {
		t.Errorf("metadata = %v", md)
	}
	if ann := md["annotations"].(map[string]any); len(ann) != 1 || ann["keep"] != "me" {
		t.Errorf("annotations = %v", ann)
	}
	if _, ok := c["status"]; ok {
		t.Error("status kept")
	}
	if c["apiVersion"] != "kustomize.toolkit.fluxcd.io/v1" || c["kind"] != "Kustomization" {
		t.Errorf("type = %v %v", c["apiVersion"], c["kind"])
	}
}

// Without Tide's CRDs, a command says to install Tide instead of printing
// the REST mapper's error.
func TestNotServedSaysToInstall(t *testing.T) {
	k, err := KindFor("kustomization")
	if err != nil {
		t.Fatal(err)
	}
	noMatch := &apimeta.NoKindMatchError{GroupKind: k.GVK().GroupKind(), SearchedVersions: []string{"v1"}}
	if !notServed(noMatch) {
		t.Fatal("a NoKindMatchError must count as a missing CRD")
	}
	if msg := NotServed(k).Error(); !strings.Contains(msg, "tide install") {
		t.Fatalf("message %q does not say to install Tide", msg)
	}
}
