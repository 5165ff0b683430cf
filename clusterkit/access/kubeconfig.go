package access

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// KubeConfigOptions are the controller flags that loosen what a kubeconfig
// of spec.kubeConfig.secretRef may hold. Both are off by default, as in
// Flux, and the names are Flux's.
type KubeConfigOptions struct {
	// InsecureExec allows the user.exec section (a credential plugin the
	// controller runs as itself).
	InsecureExec bool
	// InsecureTLS allows insecure-skip-tls-verify.
	InsecureTLS bool
}

// BindFlags registers --insecure-kubeconfig-exec and --insecure-kubeconfig-tls.
func (o *KubeConfigOptions) BindFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.InsecureExec, "insecure-kubeconfig-exec", false,
		"Let the kubeconfigs of remote clusters (spec.kubeConfig) use the user.exec section: "+
			"the controller then runs the plugin the kubeconfig names.")
	fs.BoolVar(&o.InsecureTLS, "insecure-kubeconfig-tls", false,
		"Let the kubeconfigs of remote clusters (spec.kubeConfig) turn off TLS certificate verification "+
			"(insecure-skip-tls-verify).")
}

// RemoteTimeout bounds each request to a remote cluster, as Flux does.
const RemoteTimeout = 30 * time.Second

// KubeConfigError is a spec.kubeConfig the controller cannot use: the user
// must create or change the Secret, or the object when Unsupported. Its
// message names the setting, never a value.
type KubeConfigError struct {
	Msg string
	// Unsupported: spec.kubeConfig.configMapRef (a cloud identity).
	Unsupported bool
	// Missing: the Secret, or its key, is not there (yet).
	Missing bool
}

func (e *KubeConfigError) Error() string { return e.Msg }

// ConfigMapRefUnsupported says why spec.kubeConfig.configMapRef is refused.
const ConfigMapRefUnsupported = "spec.kubeConfig.configMapRef is set, and Tide cannot reach a remote cluster " +
	"with a cloud identity (workload identity) yet: nothing is changed in any cluster. Use " +
	"spec.kubeConfig.secretRef with a kubeconfig Secret, or keep this object on Flux's controller for now"

// RESTConfigFrom checks a kubeconfig of a Secret and returns the REST
// config of its current context. Like Flux, it accepts only what is inside
// the kubeconfig: no files of the controller's file system (which could
// hand a tenant the controller's own token or keys), no credential plugins
// (exec, unless --insecure-kubeconfig-exec; auth-provider never), no
// insecure-skip-tls-verify (unless --insecure-kubeconfig-tls). Where Flux
// drops a setting it does not take, Tide refuses the kubeconfig, naming
// the setting, so that nothing is silently different from what it says;
// impersonation is taken from spec.serviceAccountName only.
func RESTConfigFrom(data []byte, opts KubeConfigOptions) (*rest.Config, error) {
	cfg, err := clientcmd.Load(data)
	if err != nil {
		// The parser's message may quote the content: not repeated.
		return nil, &KubeConfigError{Msg: "it is not a kubeconfig (it does not parse as one)"}
	}
	if why := refused(cfg, opts); why != "" {
		return nil, &KubeConfigError{Msg: why}
	}
	rc, err := clientcmd.NewDefaultClientConfig(*cfg, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, &KubeConfigError{Msg: fmt.Sprintf("it is not a usable kubeconfig: %s", err)}
	}
	rc.Timeout = RemoteTimeout
	return rc, nil
}

// refused returns why the kubeconfig is refused, naming the first offending
// entry and setting; "" when it is accepted.
func refused(cfg *clientcmdapi.Config, opts KubeConfigOptions) string {
	for _, name := range sortedKeys(cfg.Clusters) {
		cluster := cfg.Clusters[name]
		switch {
		case cluster == nil:
			return fmt.Sprintf("cluster '%s' is empty", name)
		case cluster.CertificateAuthority != "":
			return fmt.Sprintf("cluster '%s' refers to a file (certificate-authority): "+
				"only what the kubeconfig holds is used, set certificate-authority-data instead", name)
		case cluster.InsecureSkipTLSVerify && !opts.InsecureTLS:
			return fmt.Sprintf("cluster '%s' sets insecure-skip-tls-verify, which the controller refuses "+
				"unless it runs with --insecure-kubeconfig-tls: set certificate-authority-data instead", name)
		}
	}
	for _, name := range sortedKeys(cfg.AuthInfos) {
		user := cfg.AuthInfos[name]
		var file string
		switch {
		case user == nil:
			return fmt.Sprintf("user '%s' is empty", name)
		case user.TokenFile != "":
			file = "tokenFile"
		case user.ClientCertificate != "":
			file = "client-certificate"
		case user.ClientKey != "":
			file = "client-key"
		case user.Exec != nil && !opts.InsecureExec:
			return fmt.Sprintf("user '%s' runs a credential plugin (exec), which the controller refuses "+
				"unless it runs with --insecure-kubeconfig-exec: use a token or a client certificate", name)
		case user.AuthProvider != nil:
			return fmt.Sprintf("user '%s' uses an auth-provider plugin, which is not supported: "+
				"use a token or a client certificate", name)
		case user.Impersonate != "" || len(user.ImpersonateGroups) > 0 || user.ImpersonateUID != "" ||
			len(user.ImpersonateUserExtra) > 0:
			return fmt.Sprintf("user '%s' sets impersonation (as, as-groups, as-uid, as-user-extra), which is "+
				"not taken from a kubeconfig: use spec.serviceAccountName", name)
		}
		if file != "" {
			return fmt.Sprintf("user '%s' refers to a file (%s): only what the kubeconfig holds is used, "+
				"set token, client-certificate-data or client-key-data instead", name, file)
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readKubeConfig returns the kubeconfig of ref, in namespace: the named
// key, else 'value', else 'value.yaml', as Flux reads it.
func readKubeConfig(ctx context.Context, secrets client.Reader, namespace string, ref *KubeConfigRef) ([]byte, error) {
	secret := &corev1.Secret{}
	if err := secrets.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.SecretName}, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, &KubeConfigError{Missing: true,
				Msg: fmt.Sprintf("spec.kubeConfig: Secret '%s' not found in namespace '%s'", ref.SecretName, namespace)}
		}
		return nil, err
	}
	if ref.SecretKey != "" {
		if data := secret.Data[ref.SecretKey]; len(data) > 0 {
			return data, nil
		}
		return nil, &KubeConfigError{Missing: true,
			Msg: fmt.Sprintf("spec.kubeConfig: Secret '%s' has no key '%s'", ref.SecretName, ref.SecretKey)}
	}
	for _, key := range []string{"value", "value.yaml"} {
		if data := secret.Data[key]; len(data) > 0 {
			return data, nil
		}
	}
	return nil, &KubeConfigError{Missing: true,
		Msg: fmt.Sprintf("spec.kubeConfig: Secret '%s' has neither a 'value' nor a 'value.yaml' key", ref.SecretName)}
}
