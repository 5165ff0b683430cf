package naming

import (
	"strings"
	"testing"
)

// Release names as Flux computes them: the same HelmRelease names the same
// release under both controllers.
func TestReleaseName(t *testing.T) {
	short := "ns-app"
	if got := ReleaseName(short); got != short {
		t.Errorf("ReleaseName(%q) = %q, want it unchanged", short, got)
	}
	exact := strings.Repeat("a", 53)
	if got := ReleaseName(exact); got != exact {
		t.Errorf("a 53-character name changed to %q", got)
	}
	long := "some-front-appended-namespace-release-with-a-very-long-name"
	got := ReleaseName(long)
	if len(got) != 53 || !strings.HasPrefix(got, long[:40]+"-") {
		t.Errorf("ReleaseName(%q) = %q, want the first 40 characters, a dash and 12 hex digits", long, got)
	}
	if got != ReleaseName(long) || got == ReleaseName(long+"x") {
		t.Error("ReleaseName is not a function of the whole name")
	}
}

func TestOCIChartVersion(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		version, revision string
		want, wantDigest  string
		wantErr           bool
	}{
		{version: "1.0.0", revision: "1.0.0@" + digest, want: "1.0.0+0123456789ab", wantDigest: digest},
		{version: "1.0.0", revision: digest, want: "1.0.0+0123456789ab", wantDigest: digest},
		{version: "1.0.0", revision: "1.0.1@" + digest, wantErr: true},
		{version: "1.0.0", revision: "1.0.0@sha256:abc", wantErr: true},
		{version: "not-semver", revision: digest, wantErr: true},
	}
	for _, tt := range tests {
		got, gotDigest, err := OCIChartVersion(tt.version, tt.revision)
		if (err != nil) != tt.wantErr || got != tt.want || gotDigest != tt.wantDigest {
			t.Errorf("OCIChartVersion(%q, %q) = %q, %q, %v", tt.version, tt.revision, got, gotDigest, err)
		}
	}
}
