package release

import (
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/clusterkit/access"
)

// Getter gives Helm's actions a connection to one cluster as one identity
// (Helm's RESTClientGetter). Helm asks for a discovery client and a REST
// mapper for every action; a Getter builds them once, and the Getters of
// one cluster share them whoever they act as (the kinds do not depend on
// who asks), so that a thousand HelmReleases do not discover the API a
// thousand times.
type Getter struct {
	config *rest.Config
	api    *apiCache

	// kube is the kubectl factory of the kube clients of every release
	// acting through this Getter (see factory).
	kubeOnce sync.Once
	kube     *factory

	// client reads objects for the waits of every release acting through
	// this Getter (see pollWaiter), uncached.
	clientOnce sync.Once
	client     client.Client
	clientErr  error
}

// apiCache is the discovered API of one cluster, found once as the
// identity of config.
type apiCache struct {
	config    *rest.Config
	once      sync.Once
	discovery discovery.CachedDiscoveryInterface
	mapper    meta.RESTMapper
	err       error
}

// NewGetter returns a Getter for the cluster and identity config reaches,
// with an API cache of its own.
func NewGetter(config *rest.Config) *Getter {
	config = rest.CopyConfig(config)
	return &Getter{config: config, api: &apiCache{config: config}}
}

// as returns a Getter acting as config (the same cluster as another
// identity) that shares g's API cache.
func (g *Getter) as(config *rest.Config) *Getter {
	return &Getter{config: rest.CopyConfig(config), api: g.api}
}

// Unshared returns a Getter of the same cluster and identity whose API is
// discovered anew: for a HelmRelease with spec.persistentClient false,
// whose chart may add kinds (outside Helm's CRD handling) that its hooks
// then use.
func (g *Getter) Unshared() *Getter { return NewGetter(g.config) }

func (c *apiCache) init() {
	c.once.Do(func() {
		dc, err := discovery.NewDiscoveryClientForConfig(c.config)
		if err != nil {
			c.err = err
			return
		}
		c.discovery = memory.NewMemCacheClient(dc)
		c.mapper = restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(c.discovery), c.discovery, nil)
	})
}

// kubeFactory returns the kubectl factory the kube clients of g's
// releases share.
func (g *Getter) kubeFactory() *factory {
	g.kubeOnce.Do(func() { g.kube = newFactory(g) })
	return g.kube
}

// reader returns g's uncached client.
func (g *Getter) reader() (client.Reader, error) {
	g.clientOnce.Do(func() {
		mapper, err := g.ToRESTMapper()
		if err != nil {
			g.clientErr = err
			return
		}
		g.client, g.clientErr = client.New(g.config, client.Options{Mapper: mapper})
	})
	return g.client, g.clientErr
}

// ToRESTConfig returns a copy of the config of the cluster and identity.
func (g *Getter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.config), nil }

// ToDiscoveryClient returns the shared, cached discovery client.
func (g *Getter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	g.api.init()
	return g.api.discovery, g.api.err
}

// ToRESTMapper returns the shared REST mapper.
func (g *Getter) ToRESTMapper() (meta.RESTMapper, error) {
	g.api.init()
	return g.api.mapper, g.api.err
}

// ToRawKubeConfigLoader returns an empty kubeconfig: the namespace of each
// release is set on its kube client (see NewConfig), never read from here.
func (g *Getter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return clientcmd.NewDefaultClientConfig(*clientcmdapi.NewConfig(), &clientcmd.ConfigOverrides{})
}

// Clusters hands out the Getter of each HelmRelease: the local cluster as
// the controller, as an impersonated service account
// (spec.serviceAccountName, or --default-service-account), or a remote
// cluster of a kubeconfig Secret (spec.kubeConfig.secretRef). Getters are
// kept and shared (clusterkit/access).
type Clusters = access.Clusters[*Getter]

// NewClusters returns the Getters of the cluster of local and of the
// clusters HelmReleases name; secrets reads their kubeconfig Secrets.
func NewClusters(local *rest.Config, secrets client.Reader, defaultServiceAccount string, opts access.KubeConfigOptions) *Clusters {
	base := NewGetter(local)
	connect := func(cfg *rest.Config, remote bool) (*Getter, error) {
		switch {
		case remote:
			return NewGetter(cfg), nil
		case cfg == local:
			return base, nil
		default:
			return base.as(cfg), nil
		}
	}
	return access.New(local, secrets, defaultServiceAccount, connect).WithKubeConfigOptions(opts)
}
