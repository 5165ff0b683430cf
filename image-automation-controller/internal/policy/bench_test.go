package policy

import (
	"fmt"
	"testing"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
)

// BenchmarkSemver20kTags is one pick among 20,000 tags (half of them
// versions), as an ImagePolicy makes it on each new scan.
func BenchmarkSemver20kTags(b *testing.B) {
	tags := make([]string, 0, 20_000)
	for i := range 10_000 {
		tags = append(tags, fmt.Sprintf("1.%d.%d", i/100, i%100), fmt.Sprintf("main-%08x-%d", i*7919, 1700000000+i))
	}
	p, err := New(imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: "^1"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		if got, err := p.Latest(tags); err != nil || got != "1.99.99" {
			b.Fatalf("%q, %v", got, err)
		}
	}
}
