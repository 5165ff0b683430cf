package kustomization

import (
	"context"
	"fmt"
	"net/http"

	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/access"
)

// Clusters hands out the uncached clients that apply, prune and check
// health: as the controller itself, as an impersonated service account, or
// in a remote cluster from a kubeconfig Secret. Which cluster and identity,
// and the sharing of clients, is clusterkit/access's (the helm-controller's
// too); this adds what a client of a Kustomization is.
type Clusters struct {
	access    *access.Clusters[client.Client]
	local     *rest.Config
	localHTTP *http.Client
	localMap  apimeta.RESTMapper
	scheme    *runtime.Scheme
}

// NewClusters returns the client factory for the cluster of cfg, sharing the
// manager's HTTP client and REST mapper for the local cluster.
func NewClusters(cfg *rest.Config, httpClient *http.Client, mapper apimeta.RESTMapper, scheme *runtime.Scheme,
	secrets client.Reader, defaultServiceAccount string) *Clusters {
	c := &Clusters{local: cfg, localHTTP: httpClient, localMap: mapper, scheme: scheme}
	c.access = access.New(cfg, secrets, defaultServiceAccount, c.newClient)
	return c
}

// WithKubeConfigOptions sets what the kubeconfigs of remote clusters may
// hold (--insecure-kubeconfig-exec, --insecure-kubeconfig-tls).
func (c *Clusters) WithKubeConfigOptions(opts KubeConfigOptions) *Clusters {
	c.access.WithKubeConfigOptions(opts)
	return c
}

// targetOf is where and as whom obj applies.
func targetOf(obj *kustomizev1.Kustomization) access.Target {
	t := access.Target{Namespace: obj.Namespace, ServiceAccountName: obj.Spec.ServiceAccountName}
	if kc := obj.Spec.KubeConfig; kc != nil {
		t.KubeConfig = &access.KubeConfigRef{}
		if kc.SecretRef != nil {
			t.KubeConfig.SecretName, t.KubeConfig.SecretKey = kc.SecretRef.Name, kc.SecretRef.Key
		}
		if kc.ConfigMapRef != nil {
			t.KubeConfig.ConfigMapName = kc.ConfigMapRef.Name
		}
	}
	return t
}

// identity names who acts for obj, for messages.
func (c *Clusters) identity(obj *kustomizev1.Kustomization) string {
	return c.access.Identity(targetOf(obj))
}

// ServiceAccountGone tells whether the local service account obj
// impersonates is gone, or may not be read (see access.ServiceAccountGone).
func (c *Clusters) ServiceAccountGone(ctx context.Context, obj *kustomizev1.Kustomization) (string, error) {
	direct, err := c.access.Controller()
	if err != nil {
		return "", err
	}
	return c.access.ServiceAccountGone(ctx, direct, targetOf(obj))
}

// For returns the client for obj: spec.kubeConfig picks the cluster,
// spec.serviceAccountName (or the controller's default) the identity.
// A kubeconfig Secret that is missing or refused, or a configMapRef, is a
// *kubeConfigError.
func (c *Clusters) For(ctx context.Context, obj *kustomizev1.Kustomization) (client.Client, error) {
	return c.access.For(ctx, targetOf(obj))
}

// Forget drops the remote clients of obj's kubeconfig Secret: its
// Kustomization is gone. Another Kustomization of the same Secret builds
// its client again.
func (c *Clusters) Forget(obj *kustomizev1.Kustomization) {
	c.access.Forget(targetOf(obj))
}

// remoteClients is the number of remote clients kept.
func (c *Clusters) remoteClients() int { return c.access.Remotes() }

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
