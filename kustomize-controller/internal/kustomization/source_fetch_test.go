package kustomization

import (
	"context"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/testkit"
)

// staleCache stands for a cache that has not seen the source yet: every
// read through it finds nothing.
type staleCache struct{ client.Client }

func (staleCache) Get(_ context.Context, key client.ObjectKey, _ client.Object, _ ...client.GetOption) error {
	return apierrors.NewNotFound(sourcev1.GroupVersion.WithResource("gitrepositories").GroupResource(), key.Name)
}

// With the DirectSourceFetch gate the source is read from the API server,
// so a cache lagging behind does not delay a new artifact; without it the
// cache is read, as in Flux.
func TestDirectSourceFetch(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{"cm.yaml": configMapYAML("app", "v1")})
	obj := &kustomizev1.Kustomization{}
	obj.Namespace, obj.Name = ns, "app"
	obj.Spec.SourceRef = kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: repo.Name}
	for _, direct := range []bool{false, true} {
		r := &Reconciler{Client: staleCache{env.cp.Client}, APIReader: env.cp.Client,
			Options: Options{DirectSourceFetch: direct}}
		s := &scope{obj: obj}
		err := r.resolveSource(context.Background(), s)
		switch {
		case direct && (err != nil || s.artifact.Revision != repo.Status.Artifact.Revision):
			t.Errorf("direct: artifact %q, error %v; want revision %s", s.artifact.Revision, err, repo.Status.Artifact.Revision)
		case !direct && err == nil:
			t.Errorf("cached: the source was read around the cache")
		}
	}
}
