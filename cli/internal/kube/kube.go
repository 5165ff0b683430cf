// Package kube connects the CLI to a cluster: the standard --kubeconfig,
// --context and --namespace flags, and clients that know Tide's kinds.
package kube

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	imagev1 "github.com/tidegitops/tide/api/image/v1"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// DefaultNamespace is where Tide installs itself and keeps its sync
// objects: Flux's namespace, so Flux users' habits and repos carry over.
const DefaultNamespace = "flux-system"

// Options are the connection flags every command shares.
type Options struct {
	Kubeconfig string
	Context    string
	Namespace  string
	// restConfig, when set (tests), is used instead of the flags.
	restConfig *rest.Config
}

// BindFlags registers --kubeconfig, --context and -n/--namespace.
func (o *Options) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Kubeconfig, "kubeconfig", "", "Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
	fs.StringVar(&o.Context, "context", "", "The kubeconfig context to use.")
	fs.StringVarP(&o.Namespace, "namespace", "n", DefaultNamespace, "The namespace of the objects.")
}

// WithConfig returns options that connect with cfg (tests, or `tide dev`).
func WithConfig(cfg *rest.Config, namespace string) *Options {
	return &Options{restConfig: cfg, Namespace: namespace}
}

// Config returns the REST config the flags select.
func (o *Options) Config() (*rest.Config, error) {
	if o.restConfig != nil {
		return rest.CopyConfig(o.restConfig), nil
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if o.Kubeconfig != "" {
		rules.ExplicitPath = o.Kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: o.Context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("no cluster to talk to: %w (set --kubeconfig or KUBECONFIG, or run `tide dev up`)", err)
	}
	cfg.QPS, cfg.Burst = 50, 100
	return cfg, nil
}

// Client returns an uncached client that knows the built-in kinds and
// Tide's, after checking that the apiserver answers, so that the first
// error a user sees names the real problem and what to do.
func (o *Options) Client(ctx context.Context) (client.Client, error) {
	return o.WatchClient(ctx)
}

// WatchClient is Client, able to watch too.
func (o *Options) WatchClient(ctx context.Context) (client.WithWatch, error) {
	cfg, err := o.Config()
	if err != nil {
		return nil, err
	}
	if _, err := ServerVersion(ctx, cfg); err != nil {
		return nil, err
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: Scheme()})
	if err != nil {
		return nil, Unreachable(cfg.Host, err)
	}
	return c, nil
}

// Scheme knows the built-in kinds and every Tide kind.
func Scheme() *runtime.Scheme {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		clientgoscheme.AddToScheme, sourcev1.AddToScheme, kustomizev1.AddToScheme,
		notificationv1.AddToScheme, notificationv1beta3.AddToScheme, helmv2.AddToScheme,
		imagev1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return scheme
}
