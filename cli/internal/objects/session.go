package objects

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/kube"
)

// Session is a checked connection to the cluster for one command.
type Session struct {
	// Client reads, writes and watches; it is uncached.
	Client client.WithWatch
	// Config is the REST config the client uses.
	Config *rest.Config
	// Namespace is the -n namespace.
	Namespace string
}

// Connect builds a client from the connection flags once the apiserver
// has answered (see kube.Options.Client).
func Connect(ctx context.Context, opts *kube.Options) (*Session, error) {
	cfg, err := opts.Config()
	if err != nil {
		return nil, err
	}
	c, err := opts.WatchClient(ctx)
	if err != nil {
		return nil, err
	}
	ns := opts.Namespace
	if ns == "" {
		ns = kube.DefaultNamespace
	}
	return &Session{Client: c, Config: cfg, Namespace: ns}, nil
}

// NotFound is the error for a missing object, saying how to list them.
func NotFound(k *Kind, name, namespace string) error {
	return fmt.Errorf("%s '%s' not found in namespace '%s': list them with '%s -A'", k.Noun, name, namespace, k.GetCommand)
}

// NotServed is the error for a kind whose CRD is not installed.
func NotServed(k *Kind) error {
	return fmt.Errorf("the cluster does not serve %s objects: install Tide with 'tide install' (check with 'tide check')", k.Kind)
}

// notServed tells a missing CRD: the REST mapper does not know the kind,
// or the apiserver answers 404 for the whole resource.
func notServed(err error) bool {
	return meta.IsNoMatchError(err) || apierrors.IsNotFound(err)
}

// Get reads one object of kind k, with a helpful error when it is missing.
func (s *Session) Get(ctx context.Context, k *Kind, name string) (Object, error) {
	obj := k.New()
	if err := s.Client.Get(ctx, client.ObjectKey{Namespace: s.Namespace, Name: name}, obj); err != nil {
		if meta.IsNoMatchError(err) {
			return nil, NotServed(k)
		}
		if apierrors.IsNotFound(err) {
			return nil, NotFound(k, name, s.Namespace)
		}
		return nil, fmt.Errorf("get %s '%s' in namespace '%s': %w", k.Noun, name, s.Namespace, err)
	}
	obj.GetObjectKind().SetGroupVersionKind(k.GVK())
	return obj, nil
}

// List lists the objects of kind k in the session's namespace, or in all
// namespaces when all is set, sorted by namespace and name.
func (s *Session) List(ctx context.Context, k *Kind, all bool) ([]Object, error) {
	items, _, err := s.ListWithVersion(ctx, k, all)
	return items, err
}
