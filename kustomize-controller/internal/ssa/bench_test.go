package ssa

import (
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/testkit"
)

// BenchmarkApply applies 400 ConfigMaps: fresh (all created, a new
// namespace per iteration: a dry-run and an apply each) and unchanged (the
// same set again: a dry-run and an apply that writes nothing each). Besides
// ns/op it reports ns/object.
func BenchmarkApply(b *testing.B) {
	const n = 400
	set := func(ns string) []*unstructured.Unstructured {
		objs := make([]*unstructured.Unstructured, n)
		for i := range objs {
			objs[i] = configMap(b, ns, fmt.Sprintf("cm-%03d", i), fmt.Sprintf("{index: '%d', payload: 'some text'}", i))
		}
		return objs
	}
	run := func(b *testing.B, objs []*unstructured.Unstructured, want Action) {
		b.Helper()
		cs, err := newManager().Apply(b.Context(), objs, ApplyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(cs) != n || cs[0].Action != want || cs[n-1].Action != want {
			b.Fatalf("got %d changes, first %v, want %d %s", len(cs), cs[0], n, want)
		}
	}

	b.Run("fresh", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			objs := set(testkit.NewNamespace(b, cp.Client))
			b.StartTimer()
			run(b, objs, Created)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/object")
	})
	b.Run("unchanged", func(b *testing.B) {
		objs := set(testkit.NewNamespace(b, cp.Client))
		run(b, objs, Created)
		for b.Loop() {
			run(b, objs, Unchanged)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/object")
	})
}
