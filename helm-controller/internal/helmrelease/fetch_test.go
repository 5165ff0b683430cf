package helmrelease

import "testing"

func TestOCIVersion(t *testing.T) {
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
		got, gotDigest, err := ociVersion(tt.version, tt.revision)
		if (err != nil) != tt.wantErr || got != tt.want || gotDigest != tt.wantDigest {
			t.Errorf("ociVersion(%q, %q) = %q, %q, %v", tt.version, tt.revision, got, gotDigest, err)
		}
	}
}
