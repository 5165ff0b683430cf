package registry_test

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/tidegitops/tide/cli/internal/devenv/registry"
)

// The demo image's tags are listed by the registry, as a scan sees them.
func TestPushImageTags(t *testing.T) {
	s, err := registry.Start("127.0.0.1:0", io.Discard, make(chan error, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if err := s.PushImageTags(context.Background(), "tide-demo/podinfo", "6.7.0", "6.8.0"); err != nil {
		t.Fatal(err)
	}
	repo, err := name.NewRepository(s.Image("tide-demo/podinfo"), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(repo)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(tags)
	if !slices.Equal(tags, []string{"6.7.0", "6.8.0"}) {
		t.Errorf("tags = %v, want [6.7.0 6.8.0]", tags)
	}
}
