package objects

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
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

// reachTimeout bounds the first request, which checks the apiserver answers.
const reachTimeout = 10 * time.Second

// Connect builds a client from the connection flags and checks that the
// apiserver answers, so that the first error a user sees names the real
// problem.
func Connect(ctx context.Context, opts *kube.Options) (*Session, error) {
	cfg, err := opts.Config()
	if err != nil {
		return nil, err
	}
	if err := Reachable(ctx, cfg); err != nil {
		return nil, err
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: kube.Scheme()})
	if err != nil {
		return nil, Unreachable(cfg.Host, err)
	}
	ns := opts.Namespace
	if ns == "" {
		ns = kube.DefaultNamespace
	}
	return &Session{Client: c, Config: cfg, Namespace: ns}, nil
}

// Reachable asks the apiserver its version and explains any failure.
func Reachable(ctx context.Context, cfg *rest.Config) error {
	_, err := ServerVersion(ctx, cfg)
	return err
}

// ServerVersion returns the apiserver's version, e.g. "v1.37.0".
func ServerVersion(ctx context.Context, cfg *rest.Config) (string, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.Timeout = reachTimeout
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return "", Unreachable(cfg.Host, err)
	}
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		info, err := dc.ServerVersion()
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{v: info.GitVersion}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", Unreachable(cfg.Host, r.err)
		}
		return r.v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Unreachable explains that the apiserver at host did not answer, in one
// line, and what to try.
func Unreachable(host string, err error) error {
	if apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err) {
		return fmt.Errorf("the Kubernetes API at %s refused the credentials: %s (check --kubeconfig and --context)", host, apierrors.ReasonForError(err))
	}
	return fmt.Errorf("cannot reach the Kubernetes API at %s: %s (check --kubeconfig and --context, or start a local cluster with 'tide dev up')", host, rootCause(err))
}

// rootCause keeps the last, most specific part of a network error.
func rootCause(err error) string {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr.Err.Error()
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return strings.TrimSpace(err.Error())
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
