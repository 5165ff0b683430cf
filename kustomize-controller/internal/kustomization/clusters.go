package kustomization

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// Clusters hands out the uncached clients that apply, prune and check
// health: as the controller itself, as an impersonated service account, or
// in a remote cluster from a kubeconfig Secret. Clients are kept and shared,
// because building one (HTTP transport, API discovery) costs far more than a
// reconciliation that changes nothing.
//
// A remote client is kept under its Secret (and the identity it
// impersonates), with the digest of the kubeconfig it was built from: when
// the Secret changes, the next use builds a new client in its place, and
// when the Secret is gone or refused, or a Kustomization of it deleted, the
// client is dropped (another Kustomization of the Secret builds it again).
// So the cache holds one client per Secret in use, and never serves an
// identity the Secret no longer gives.
type Clusters struct {
	local      *rest.Config
	localHTTP  *http.Client
	localMap   apimeta.RESTMapper
	scheme     *runtime.Scheme
	secrets    client.Reader
	defaultSA  string
	kubeConfig KubeConfigOptions
	mu         sync.Mutex
	clients    map[string]client.Client // local, by impersonated user
	remotes    map[string]remoteClient  // by Secret and impersonated user (see remote)
}

// remoteClient is a client of a remote cluster and the digest of the
// kubeconfig it was built from.
type remoteClient struct {
	digest string
	client client.Client
}

// NewClusters returns the client factory for the cluster of cfg, sharing the
// manager's HTTP client and REST mapper for the local cluster.
func NewClusters(cfg *rest.Config, httpClient *http.Client, mapper apimeta.RESTMapper, scheme *runtime.Scheme,
	secrets client.Reader, defaultServiceAccount string) *Clusters {
	return &Clusters{local: cfg, localHTTP: httpClient, localMap: mapper, scheme: scheme,
		secrets: secrets, defaultSA: defaultServiceAccount,
		clients: map[string]client.Client{}, remotes: map[string]remoteClient{}}
}

// WithKubeConfigOptions sets what the kubeconfigs of remote clusters may
// hold (--insecure-kubeconfig-exec, --insecure-kubeconfig-tls).
func (c *Clusters) WithKubeConfigOptions(opts KubeConfigOptions) *Clusters {
	c.kubeConfig = opts
	return c
}

// serviceAccount is the account obj impersonates: spec.serviceAccountName,
// else the controller's default; "" for none.
func (c *Clusters) serviceAccount(obj *kustomizev1.Kustomization) string {
	if sa := obj.Spec.ServiceAccountName; sa != "" {
		return sa
	}
	return c.defaultSA
}

// identity names who acts for obj, for messages.
func (c *Clusters) identity(obj *kustomizev1.Kustomization) string {
	if sa := c.serviceAccount(obj); sa != "" {
		return fmt.Sprintf("service account '%s/%s'", obj.Namespace, sa)
	}
	if obj.Spec.KubeConfig != nil {
		return "the user of the kubeconfig"
	}
	return "the controller"
}

// ServiceAccountGone tells, as Flux checks before garbage collection,
// whether the local service account obj impersonates is gone (or may not
// be read by the controller): a namespace being deleted takes its service
// accounts and their RoleBindings along, and nothing can then be deleted in
// their name. It returns why, or "" when the account exists or none is
// impersonated; other errors are returned.
func (c *Clusters) ServiceAccountGone(ctx context.Context, obj *kustomizev1.Kustomization) (string, error) {
	sa := c.serviceAccount(obj)
	if sa == "" || obj.Spec.KubeConfig != nil {
		return "", nil
	}
	account := &metav1.PartialObjectMetadata{}
	account.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ServiceAccount"))
	direct, err := c.controllerClient()
	if err != nil {
		return "", err
	}
	switch err := direct.Get(ctx, types.NamespacedName{Namespace: obj.Namespace, Name: sa}, account); {
	case apierrors.IsNotFound(err):
		return fmt.Sprintf("the service account '%s/%s' it impersonates does not exist", obj.Namespace, sa), nil
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("the service account '%s/%s' it impersonates cannot be read: %s", obj.Namespace, sa, err), nil
	case err != nil:
		return "", fmt.Errorf("read service account '%s/%s': %w", obj.Namespace, sa, err)
	}
	return "", nil
}

// controllerClient is the uncached local client, as the controller itself.
func (c *Clusters) controllerClient() (client.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients["local/"]; ok {
		return cl, nil
	}
	cl, err := c.newClient(c.local, false)
	if err != nil {
		return nil, err
	}
	c.clients["local/"] = cl
	return cl, nil
}

// For returns the client for obj: spec.kubeConfig picks the cluster,
// spec.serviceAccountName (or the controller's default) the identity.
// A kubeconfig Secret that is missing or refused, or a configMapRef, is a
// *kubeConfigError.
func (c *Clusters) For(ctx context.Context, obj *kustomizev1.Kustomization) (client.Client, error) {
	cfg, user := c.local, ""
	if sa := c.serviceAccount(obj); sa != "" {
		user = fmt.Sprintf("system:serviceaccount:%s:%s", obj.Namespace, sa)
	}
	if obj.Spec.KubeConfig != nil {
		return c.remote(ctx, obj, user)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := "local/" + user
	if cl, ok := c.clients[key]; ok {
		return cl, nil
	}
	if user != "" {
		cfg = impersonating(cfg, user)
	}
	cl, err := c.newClient(cfg, false)
	if err != nil {
		return nil, err
	}
	c.clients[key] = cl
	return cl, nil
}

// remote returns the client of the remote cluster of obj's kubeconfig
// Secret, as user when set.
func (c *Clusters) remote(ctx context.Context, obj *kustomizev1.Kustomization, user string) (client.Client, error) {
	ref := obj.Spec.KubeConfig.SecretRef
	if ref == nil {
		return nil, &kubeConfigError{unsupported: true, msg: configMapRefUnsupported}
	}
	secret := secretKey(obj)
	data, err := c.readKubeConfig(ctx, obj)
	if err != nil {
		if _, gone := errors.AsType[*kubeConfigError](err); gone {
			c.forget(secret)
		}
		// Otherwise the Secret could not be read this time (the
		// apiserver, a deadline): the client it gave is still good.
		return nil, err
	}
	cfg, err := restConfigFrom(data, c.kubeConfig)
	if err != nil {
		c.forget(secret)
		return nil, fmt.Errorf("spec.kubeConfig: the kubeconfig in Secret '%s' is refused: %w", ref.Name, err)
	}
	if user != "" {
		cfg = impersonating(cfg, user)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	key := secret + "/" + ref.Key + "/" + user

	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.remotes[key]; ok && e.digest == digest {
		return e.client, nil
	}
	cl, err := c.newClient(cfg, true)
	if err != nil {
		delete(c.remotes, key)
		return nil, err
	}
	c.remotes[key] = remoteClient{digest: digest, client: cl}
	return cl, nil
}

// Forget drops the remote clients of obj's kubeconfig Secret: its
// Kustomization is gone. Another Kustomization of the same Secret builds
// its client again.
func (c *Clusters) Forget(obj *kustomizev1.Kustomization) {
	if obj.Spec.KubeConfig != nil && obj.Spec.KubeConfig.SecretRef != nil {
		c.forget(secretKey(obj))
	}
}

func (c *Clusters) forget(secret string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key := range c.remotes {
		if strings.HasPrefix(key, secret+"/") {
			delete(c.remotes, key)
		}
	}
}

// secretKey names obj's kubeconfig Secret in the cache: namespace/name
// (names hold no '/').
func secretKey(obj *kustomizev1.Kustomization) string {
	return obj.Namespace + "/" + obj.Spec.KubeConfig.SecretRef.Name
}

// impersonating returns a copy of cfg that acts as user.
func impersonating(cfg *rest.Config, user string) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	return cfg
}

// newClient builds a client for cfg. The local cluster's REST mapper is
// shared (the kinds do not depend on who asks); a remote cluster gets its own.
func (c *Clusters) newClient(cfg *rest.Config, remote bool) (client.Client, error) {
	httpClient := c.localHTTP
	if cfg != c.local {
		var err error
		if httpClient, err = rest.HTTPClientFor(cfg); err != nil {
			return nil, err
		}
	}
	mapper := c.localMap
	if remote {
		var err error
		if mapper, err = apiutil.NewDynamicRESTMapper(cfg, httpClient); err != nil {
			return nil, fmt.Errorf("discover the API of the remote cluster: %w", err)
		}
	}
	return client.New(cfg, client.Options{Scheme: c.scheme, HTTPClient: httpClient, Mapper: mapper})
}

// readKubeConfig returns the kubeconfig of spec.kubeConfig.secretRef: the
// named key, else 'value', else 'value.yaml', as Flux reads it.
func (c *Clusters) readKubeConfig(ctx context.Context, obj *kustomizev1.Kustomization) ([]byte, error) {
	ref := obj.Spec.KubeConfig.SecretRef
	secret := &corev1.Secret{}
	if err := c.secrets.Get(ctx, types.NamespacedName{Namespace: obj.Namespace, Name: ref.Name}, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &kubeConfigError{missing: true,
				msg: fmt.Sprintf("spec.kubeConfig: Secret '%s' not found in namespace '%s'", ref.Name, obj.Namespace)}
		}
		return nil, err
	}
	if ref.Key != "" {
		if data := secret.Data[ref.Key]; len(data) > 0 {
			return data, nil
		}
		return nil, &kubeConfigError{missing: true, msg: fmt.Sprintf("spec.kubeConfig: Secret '%s' has no key '%s'", ref.Name, ref.Key)}
	}
	for _, key := range []string{"value", "value.yaml"} {
		if data := secret.Data[key]; len(data) > 0 {
			return data, nil
		}
	}
	return nil, &kubeConfigError{missing: true,
		msg: fmt.Sprintf("spec.kubeConfig: Secret '%s' has neither a 'value' nor a 'value.yaml' key", ref.Name)}
}
