package registry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Image is the reference of repository in this registry, without a tag:
// an ImageRepository's spec.image.
func (s *Server) Image(repository string) string { return s.Host + "/" + repository }

// PushImageTags pushes a small made-up image under each tag of repository,
// so the demo's image automation has versions to choose from (nothing
// pulls them: the demo's Pods run on the kwok node).
func (s *Server) PushImageTags(ctx context.Context, repository string, tags ...string) error {
	for _, tag := range tags {
		img, err := random.Image(64, 1)
		if err != nil {
			return err
		}
		ref, err := name.NewTag(s.Image(repository)+":"+tag, name.Insecure)
		if err != nil {
			return err
		}
		if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
			return fmt.Errorf("push %s: %w", ref, err)
		}
	}
	return nil
}
