package release

import (
	"testing"
)

// Config digests equal to those Flux writes for the same values, so that
// a release taken over from Flux is not upgraded for nothing.
func TestValuesDigestIsFlux(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
		want   string
	}{
		{"nil", nil, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"empty", map[string]any{}, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"nested, in any order", map[string]any{
			"ports": []any{
				map[string]any{"protocol": "TCP", "port": 8080},
				map[string]any{"port": 9090, "protocol": "UDP"},
			},
			"image":    map[string]any{"tag": "latest", "repository": "nginx"},
			"replicas": 3,
		}, "sha256:fcdc2b0de1581a3633ada4afee3f918f6eaa5b5ab38c3fef03d5b48d3f85d9f6"},
		{"keys that look like numbers", map[string]any{
			"test": map[string]any{
				"632bd82398e71231a98004b6": "value4", "632bd817c559818a52307da2": "value3",
				"632bd80ddf416cf32fd50679": "value2", "632bd80235a05f4192aefade": "value1",
			},
			"replicas": 3,
		}, "sha256:8a980fcbeadd6f05818f07e8aec14070c22250ca3d96af1fcd5f93b3e85b4d70"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 5 { // maps iterate in random order
				if got := ValuesDigest(tt.values); got != tt.want {
					t.Fatalf("ValuesDigest = %s, want %s", got, tt.want)
				}
			}
		})
	}
}
