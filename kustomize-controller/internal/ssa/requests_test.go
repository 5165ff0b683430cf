package ssa

import (
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/testkit"
)

// requestCounter counts the requests a client sends, by method; a dry-run
// counts as "dry-run " and its method.
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *requestCounter) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
		key := req.Method
		if req.URL.Query().Has("dryRun") {
			key = "dry-run " + key
		}
		c.mu.Lock()
		c.counts[key]++
		c.mu.Unlock()
		return next.RoundTrip(req)
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// take returns the counts so far and starts again from zero.
func (c *requestCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	got := c.counts
	c.counts = map[string]int{}
	return got
}

// countingManager is a Manager whose client counts its requests.
func countingManager(t *testing.T) (*Manager, *requestCounter) {
	t.Helper()
	counter := &requestCounter{counts: map[string]int{}}
	cfg := rest.CopyConfig(cp.Config)
	cfg.WrapTransport = counter.wrap
	c, err := client.New(cfg, client.Options{Scheme: cp.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	// Discovery is the RESTMapper's business, not the apply's.
	if _, err := c.RESTMapper().RESTMapping(schema.GroupKind{Kind: "ConfigMap"}, "v1"); err != nil {
		t.Fatal(err)
	}
	counter.take()
	return &Manager{Client: c, Owner: owner}, counter
}

// A new object costs a dry-run and an apply, no read; an existing one a
// dry-run and a read, and an apply only when it differs.
func TestApplyRequestsPerObject(t *testing.T) {
	const n = 5
	ns := testkit.NewNamespace(t, cp.Client)
	objs := make([]*unstructured.Unstructured, n)
	for i := range objs {
		objs[i] = configMap(t, ns, fmt.Sprintf("cm-%d", i), "{a: '1'}")
	}
	m, counter := countingManager(t)
	twoPatches := map[string]int{"dry-run PATCH": n, "PATCH": n} // a new object

	cs := apply(t, m, ApplyOptions{}, objs...)
	if got := counter.take(); !reflect.DeepEqual(got, twoPatches) {
		t.Errorf("creating %d objects: requests %v, want %v", n, got, twoPatches)
	}
	if cs[0].Action != Created || cs[n-1].Action != Created {
		t.Errorf("changes = %q, want all created", lines(cs))
	}

	before := live(t, objs[0]).GetResourceVersion()
	cs = apply(t, m, ApplyOptions{}, objs...)
	if want := map[string]int{"dry-run PATCH": n, "GET": n}; !reflect.DeepEqual(counter.take(), want) {
		t.Errorf("re-applying %d unchanged objects: want requests %v, and no write", n, want)
	}
	if cs.Changed() {
		t.Errorf("changes = %q, want all unchanged", lines(cs))
	}
	if after := live(t, objs[0]).GetResourceVersion(); after != before {
		t.Errorf("resourceVersion %s -> %s: an unchanged object was written", before, after)
	}

	for _, obj := range objs {
		edit(t, obj, "kubectl-edit", func(u *unstructured.Unstructured) {
			_ = unstructured.SetNestedField(u.Object, "changed", "data", "a")
		})
	}
	cs = apply(t, m, ApplyOptions{}, objs...)
	// Override first takes the fields kubectl-edit set (one patch), then applies.
	if want := map[string]int{"dry-run PATCH": n, "GET": n, "PATCH": 2 * n}; !reflect.DeepEqual(counter.take(), want) {
		t.Errorf("correcting %d objects: want requests %v", n, want)
	}
	if cs[0].Action != Configured || cs[n-1].Action != Configured || data(t, objs[0])["a"] != "1" {
		t.Errorf("changes = %q, data.a = %q; want all configured back to 1", lines(cs), data(t, objs[0])["a"])
	}
}
