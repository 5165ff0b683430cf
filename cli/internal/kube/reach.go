package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// reachTimeout bounds the first request, which checks the apiserver answers.
const reachTimeout = 10 * time.Second

// ServerVersion returns the apiserver's version, e.g. "v1.37.0"; a failure
// is explained in one line (see Unreachable).
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
