package ocirepository

import (
	"testing"

	. "github.com/onsi/gomega"
)

// spec.url is checked as Flux checks it: oci://, a repository, no tag, no
// digest (the CRD's pattern already refuses other schemes).
func TestParseURL(t *testing.T) {
	tests := []struct {
		url      string
		wantRepo string
		wantErr  string
	}{
		{"oci://ghcr.io/org/repo", "ghcr.io/org/repo", ""},
		{"oci://127.0.0.1:5000/org/repo", "127.0.0.1:5000/org/repo", ""},
		{"oci://registry.example.com:443/repo", "registry.example.com:443/repo", ""},
		{"oci://ghcr.io/org/repo:v1", "", "remove ':v1'"},
		{"oci://127.0.0.1:5000/repo:latest", "", "remove ':latest'"},
		{"oci://ghcr.io/org/repo@sha256:abc", "", "remove '@sha256:abc' and set spec.ref.digest"},
		{"https://ghcr.io/org/repo", "", "oci://<domain>/<org>/<repo>"},
		{"oci://ghcr.io/Org/Repo", "", "repository can only contain"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			g := NewWithT(t)
			repo, err := parseURL(tt.url, false)
			if tt.wantErr != "" {
				g.Expect(err).To(MatchError(ContainSubstring(tt.wantErr)))
				return
			}
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(repo.String()).To(Equal(tt.wantRepo))
		})
	}
}

// Tags are versions as Flux's version.ParseVersion reads them.
func TestParseVersion(t *testing.T) {
	for tag, ok := range map[string]bool{
		"1.2.3": true, "v1.2.3": true, "1.2.3-rc.1": true, "1.2.3+build.5": true,
		"1.2": false, "v1": false, "latest": false, "1.2.3.4": false,
	} {
		_, err := parseVersion(tag)
		if (err == nil) != ok {
			t.Errorf("parseVersion(%q) error = %v, want ok=%v", tag, err, ok)
		}
	}
}

// Docker configs of several Secrets merge, the first naming a host winning;
// a config that is no JSON is refused without quoting it.
func TestMergeDockerConfigs(t *testing.T) {
	g := NewWithT(t)
	merged, err := mergeDockerConfigs([]dockerConfig{
		{secret: "a", data: []byte(`{"auths":{"one.example":{"auth":"YTpi"}}}`)},
		{secret: "b", data: []byte(`{"auths":{"one.example":{"auth":"Yzpk"},"two.example":{"auth":"ZTpm"}}}`)},
	})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(merged)).To(MatchJSON(`{"auths":{"one.example":{"auth":"YTpi"},"two.example":{"auth":"ZTpm"}}}`))

	_, err = mergeDockerConfigs([]dockerConfig{
		{secret: "a", data: []byte(`{"auths":{}}`)}, {secret: "b", data: []byte(`{"auths": s3cr3t`)},
	})
	g.Expect(err).To(MatchError(ContainSubstring("secret 'b'")))
	g.Expect(err.Error()).NotTo(ContainSubstring("s3cr3t"))
}
