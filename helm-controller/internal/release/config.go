package release

import (
	"context"
	"fmt"
	"io"

	"github.com/go-logr/logr"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
)

// NewConfig returns Helm's action configuration for one release: its
// objects go to releaseNamespace, its records (Secrets, Helm's default
// driver, as Flux uses) to storageNamespace. Helm's own log lines go to log
// at debug verbosity. Its kstatus waits poll (see kubeClient).
func NewConfig(getter *Getter, releaseNamespace, storageNamespace string, log logr.Logger) (*action.Configuration, error) {
	handler := logr.ToSlogHandler(log.V(1))
	cfg := action.NewConfiguration(action.ConfigurationSetLogger(handler))
	if err := cfg.Init(getter, storageNamespace, "secret"); err != nil {
		return nil, fmt.Errorf("set up Helm: %w", err)
	}
	kc, ok := cfg.KubeClient.(*kube.Client)
	if !ok {
		return nil, fmt.Errorf("set up Helm: unexpected kube client %T", cfg.KubeClient)
	}
	kc.Factory = getter.kubeFactory()
	kc.Namespace = releaseNamespace
	kc.SetLogger(handler)
	reader, err := getter.reader()
	if err != nil {
		return nil, fmt.Errorf("set up Helm: %w", err)
	}
	cfg.KubeClient = &kubeClient{Client: kc, reader: reader}
	waitAs(context.Background(), cfg, nil)
	// Test pods' logs are not collected: nothing would read them.
	cfg.SetHookOutputFunc(func(_, _, _ string) io.Writer { return io.Discard })
	return cfg, nil
}
