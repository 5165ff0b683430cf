package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Target is where, and as whom, one object's changes go: its namespace
// (which holds its service account and kubeconfig Secret),
// spec.serviceAccountName and spec.kubeConfig.
type Target struct {
	Namespace          string
	ServiceAccountName string
	// KubeConfig is nil for the local cluster.
	KubeConfig *KubeConfigRef
}

// KubeConfigRef is spec.kubeConfig: a Secret (and key) holding a
// kubeconfig, or a ConfigMap for a cloud identity (refused).
type KubeConfigRef struct {
	SecretName    string
	SecretKey     string
	ConfigMapName string
}

// Connect builds what the caller talks to a cluster with, from the REST
// config of the cluster and identity. remote says cfg is not the local
// cluster (whose kinds the caller may already know).
type Connect[T any] func(cfg *rest.Config, remote bool) (T, error)

// Clusters hands out connections: as the controller itself, as an
// impersonated service account, or to a remote cluster from a kubeconfig
// Secret. They are kept and shared, because building one (HTTP transport,
// API discovery) costs far more than a reconciliation that changes nothing.
//
// A remote connection is kept under its Secret (and the identity it
// impersonates), with the digest of the kubeconfig it was built from: when
// the Secret changes, the next use builds a new one in its place, and when
// the Secret is gone or refused, or Forget is called, it is dropped. So the
// cache holds one connection per Secret in use, and never serves an
// identity the Secret no longer gives.
type Clusters[T any] struct {
	local      *rest.Config
	secrets    client.Reader
	defaultSA  string
	kubeConfig KubeConfigOptions
	connect    Connect[T]

	mu      sync.Mutex
	locals  map[string]T         // by impersonated user, "" for the controller
	remotes map[string]remote[T] // by Secret, key and impersonated user
}

// remote is a connection to a remote cluster and the digest of the
// kubeconfig it was built from.
type remote[T any] struct {
	digest string
	conn   T
}

// New returns the connections to the cluster of local and those its
// objects name. secrets reads kubeconfig Secrets; defaultServiceAccount
// (--default-service-account) is impersonated when an object names none.
func New[T any](local *rest.Config, secrets client.Reader, defaultServiceAccount string, connect Connect[T]) *Clusters[T] {
	return &Clusters[T]{local: local, secrets: secrets, defaultSA: defaultServiceAccount, connect: connect,
		locals: map[string]T{}, remotes: map[string]remote[T]{}}
}

// WithKubeConfigOptions sets what the kubeconfigs of remote clusters may
// hold (--insecure-kubeconfig-exec, --insecure-kubeconfig-tls).
func (c *Clusters[T]) WithKubeConfigOptions(opts KubeConfigOptions) *Clusters[T] {
	c.kubeConfig = opts
	return c
}

// ServiceAccount is the account t impersonates: its own, else the
// controller's default; "" for none.
func (c *Clusters[T]) ServiceAccount(t Target) string {
	if t.ServiceAccountName != "" {
		return t.ServiceAccountName
	}
	return c.defaultSA
}

// User is the user name t impersonates, "" for none.
func (c *Clusters[T]) User(t Target) string {
	if sa := c.ServiceAccount(t); sa != "" {
		return fmt.Sprintf("system:serviceaccount:%s:%s", t.Namespace, sa)
	}
	return ""
}

// Identity names who acts for t, for messages.
func (c *Clusters[T]) Identity(t Target) string {
	if sa := c.ServiceAccount(t); sa != "" {
		return fmt.Sprintf("service account '%s/%s'", t.Namespace, sa)
	}
	if t.KubeConfig != nil {
		return "the user of the kubeconfig"
	}
	return "the controller"
}

// Controller is the connection to the local cluster as the controller.
func (c *Clusters[T]) Controller() (T, error) {
	return c.local1("")
}

// For returns the connection for t, shared with every object of the same
// cluster and identity. A kubeconfig Secret that is missing or refused, or
// a configMapRef, is a *KubeConfigError.
func (c *Clusters[T]) For(ctx context.Context, t Target) (T, error) {
	if t.KubeConfig == nil {
		return c.local1(c.User(t))
	}
	cfg, key, digest, err := c.resolveRemote(ctx, t)
	if err != nil {
		var zero T
		return zero, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.remotes[key]; ok && e.digest == digest {
		return e.conn, nil
	}
	conn, err := c.connect(cfg, true)
	if err != nil {
		delete(c.remotes, key)
		return conn, err
	}
	c.remotes[key] = remote[T]{digest: digest, conn: conn}
	return conn, nil
}

// local1 returns the shared local connection as user ("" the controller).
func (c *Clusters[T]) local1(user string) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if conn, ok := c.locals[user]; ok {
		return conn, nil
	}
	cfg := c.local
	if user != "" {
		cfg = impersonating(cfg, user)
	}
	conn, err := c.connect(cfg, false)
	if err != nil {
		return conn, err
	}
	c.locals[user] = conn
	return conn, nil
}

// resolveRemote reads and checks t's kubeconfig and returns the REST config
// (as t's user), its cache key and the kubeconfig's digest.
func (c *Clusters[T]) resolveRemote(ctx context.Context, t Target) (*rest.Config, string, string, error) {
	ref := t.KubeConfig
	if ref.SecretName == "" {
		return nil, "", "", &KubeConfigError{Unsupported: true, Msg: ConfigMapRefUnsupported}
	}
	secret := secretKey(t)
	data, err := readKubeConfig(ctx, c.secrets, t.Namespace, ref)
	if err != nil {
		if _, gone := errors.AsType[*KubeConfigError](err); gone {
			c.forget(secret)
		}
		// Otherwise the Secret could not be read this time (the
		// apiserver, a deadline): the connection it gave is still good.
		return nil, "", "", err
	}
	cfg, err := RESTConfigFrom(data, c.kubeConfig)
	if err != nil {
		c.forget(secret)
		return nil, "", "", fmt.Errorf("spec.kubeConfig: the kubeconfig in Secret '%s' is refused: %w", ref.SecretName, err)
	}
	user := c.User(t)
	if user != "" {
		cfg = impersonating(cfg, user)
	}
	sum := sha256.Sum256(data)
	return cfg, secret + "/" + ref.SecretKey + "/" + user, hex.EncodeToString(sum[:]), nil
}

// Forget drops the remote connections of t's kubeconfig Secret: an object
// of it is gone. Another object of the same Secret builds its connection
// again.
func (c *Clusters[T]) Forget(t Target) {
	if t.KubeConfig != nil && t.KubeConfig.SecretName != "" {
		c.forget(secretKey(t))
	}
}

// Remotes is the number of remote connections kept.
func (c *Clusters[T]) Remotes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.remotes)
}

func (c *Clusters[T]) forget(secret string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.remotes {
		if strings.HasPrefix(key, secret+"/") {
			delete(c.remotes, key)
		}
	}
}

// ServiceAccountGone tells, as Flux checks before deleting what an object
// applied, whether the local service account t impersonates is gone (or
// may not be read by the controller): a namespace being deleted takes its
// service accounts and their RoleBindings along, and nothing can then be
// deleted in their name. reader reads as the controller. It returns why,
// or "" when the account exists or none is impersonated; other errors are
// returned.
func (c *Clusters[T]) ServiceAccountGone(ctx context.Context, reader client.Reader, t Target) (string, error) {
	sa := c.ServiceAccount(t)
	if sa == "" || t.KubeConfig != nil {
		return "", nil
	}
	account := &metav1.PartialObjectMetadata{}
	account.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ServiceAccount"))
	switch err := reader.Get(ctx, types.NamespacedName{Namespace: t.Namespace, Name: sa}, account); {
	case apierrors.IsNotFound(err):
		return fmt.Sprintf("the service account '%s/%s' it impersonates does not exist", t.Namespace, sa), nil
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("the service account '%s/%s' it impersonates cannot be read: %s", t.Namespace, sa, err), nil
	case err != nil:
		return "", fmt.Errorf("read service account '%s/%s': %w", t.Namespace, sa, err)
	}
	return "", nil
}

// secretKey names t's kubeconfig Secret in the cache: namespace/name
// (names hold no '/').
func secretKey(t Target) string {
	return t.Namespace + "/" + t.KubeConfig.SecretName
}

// impersonating returns a copy of cfg that acts as user.
func impersonating(cfg *rest.Config, user string) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	return cfg
}
