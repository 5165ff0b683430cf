package registry

import (
	"errors"
	"strings"
	"testing"
)

func TestParseImage(t *testing.T) {
	tests := []struct {
		image     string
		insecure  bool
		canonical string
		wantErr   string
	}{
		{image: "nginx", canonical: "index.docker.io/library/nginx"},
		{image: "docker.io/nginx", canonical: "index.docker.io/library/nginx"},
		{image: "fluxcd/flux", canonical: "index.docker.io/fluxcd/flux"},
		{image: "ghcr.io/stefanprodan/podinfo", canonical: "ghcr.io/stefanprodan/podinfo"},
		{image: "127.0.0.1:5000/app", canonical: "127.0.0.1:5000/app"},
		{image: "registry.local:5000/team/app", insecure: true, canonical: "registry.local:5000/team/app"},
		{image: "https://ghcr.io/app", wantErr: "should not include a URL scheme: remove 'https://'"},
		{image: "nginx:1.25", wantErr: "should not include a tag or digest: remove ':1.25'"},
		{image: "127.0.0.1:5000/app:v1", wantErr: "remove ':v1'"},
		{image: "ghcr.io/app@sha256:" + sixtyFourHex, wantErr: "remove '@sha256:"},
		{image: "UPPER/case", wantErr: "is not a valid image name"},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			repo, err := ParseImage(tt.image, tt.insecure)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrInvalidImage) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want ErrInvalidImage saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if repo.String() != tt.canonical {
				t.Errorf("canonical name %q, want %q", repo.String(), tt.canonical)
			}
			if tt.insecure && repo.Scheme() != "http" {
				t.Errorf("insecure image reached over %s", repo.Scheme())
			}
		})
	}
}

const sixtyFourHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
