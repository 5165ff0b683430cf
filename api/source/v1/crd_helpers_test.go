package v1_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// expectCreate creates obj and checks the apiserver's verdict: accepted
// when wantError is empty, otherwise rejected with a message containing it.
func expectCreate(t *testing.T, obj client.Object, wantError string) {
	t.Helper()
	err := cp.Client.Create(context.Background(), obj)
	switch {
	case wantError == "" && err != nil:
		t.Fatalf("rejected: %v", err)
	case wantError != "" && err == nil:
		t.Fatalf("accepted, want rejected on %q", wantError)
	case wantError != "" && !strings.Contains(err.Error(), wantError):
		t.Fatalf("rejected with %q, want a message naming %q", err, wantError)
	}
}

// createYAML creates an object written as a user writes it, so that fields
// the Go types always send (such as an empty spec.verify.provider) are left
// out and the schema's defaults apply.
func createYAML(t *testing.T, ns, manifest string) client.ObjectKey {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(manifest), &obj.Object); err != nil {
		t.Fatal(err)
	}
	obj.SetNamespace(ns)
	if err := cp.Client.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	return client.ObjectKeyFromObject(obj)
}

// expectColumns checks the single row `kubectl get <resource> -n ns` shows.
func expectColumns(t *testing.T, resource, ns string, want map[string]string) {
	t.Helper()
	rows, err := testkit.TableRows(context.Background(), cp.Config, sourcev1.GroupVersion.WithResource(resource), ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("kubectl get %s: %d rows, want 1", resource, len(rows))
	}
	for column, value := range want {
		if rows[0][column] != value {
			t.Errorf("column %s = %q, want %q (row: %v)", column, rows[0][column], value, rows[0])
		}
	}
}

// Every source kind is served under Flux's short name and categories, so
// `kubectl get fluxcd-sources` and `kubectl get hc` work as with Flux.
func TestSourceKindsDiscovery(t *testing.T) {
	dc, err := discovery.NewDiscoveryClientForConfig(cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dc.ServerResourcesForGroupVersion(sourcev1.GroupVersion.String())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct{ kind, shortName string }{
		"helmrepositories": {sourcev1.HelmRepositoryKind, "helmrepo"},
		"helmcharts":       {sourcev1.HelmChartKind, "hc"},
		"ocirepositories":  {sourcev1.OCIRepositoryKind, "ocirepo"},
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
		if strings.Join(r.ShortNames, ",") != w.shortName {
			t.Errorf("%s: short names = %v, want [%s]", r.Name, r.ShortNames, w.shortName)
		}
		if strings.Join(r.Categories, ",") != "all,fluxcd,fluxcd-sources" {
			t.Errorf("%s: categories = %v, want all, fluxcd, fluxcd-sources", r.Name, r.Categories)
		}
	}
	for name := range want {
		t.Errorf("%s not served in %s", name, sourcev1.GroupVersion)
	}
}
