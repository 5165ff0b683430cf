package access

import (
	"errors"
	"strings"
	"testing"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// kubeConfig is a kubeconfig of one cluster and user, edited by edit.
func kubeConfig(t *testing.T, edit func(*clientcmdapi.Cluster, *clientcmdapi.AuthInfo)) []byte {
	t.Helper()
	cluster := &clientcmdapi.Cluster{Server: "https://127.0.0.1:6443", CertificateAuthorityData: []byte("ca")}
	user := &clientcmdapi.AuthInfo{Token: "s3cr3t"}
	edit(cluster, user)
	cfg := clientcmdapi.Config{
		Clusters:       map[string]*clientcmdapi.Cluster{"c": cluster},
		AuthInfos:      map[string]*clientcmdapi.AuthInfo{"u": user},
		Contexts:       map[string]*clientcmdapi.Context{"x": {Cluster: "c", AuthInfo: "u"}},
		CurrentContext: "x",
	}
	data, err := clientcmd.Write(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// --insecure-kubeconfig-exec lets a kubeconfig run a credential plugin,
// --insecure-kubeconfig-tls skip TLS verification; without them both are
// refused, naming the flag. What does not parse is refused without
// quoting it.
func TestRESTConfigFromFollowsTheFlags(t *testing.T) {
	exec := kubeConfig(t, func(_ *clientcmdapi.Cluster, u *clientcmdapi.AuthInfo) {
		u.Exec = &clientcmdapi.ExecConfig{Command: "true", APIVersion: "client.authentication.k8s.io/v1",
			InteractiveMode: clientcmdapi.NeverExecInteractiveMode}
	})
	insecure := kubeConfig(t, func(c *clientcmdapi.Cluster, _ *clientcmdapi.AuthInfo) {
		c.CertificateAuthorityData, c.InsecureSkipTLSVerify = nil, true
	})
	tests := []struct {
		name string
		data []byte
		opts KubeConfigOptions
		want string // "" when accepted
	}{
		{"exec refused", exec, KubeConfigOptions{}, "--insecure-kubeconfig-exec"},
		{"exec allowed", exec, KubeConfigOptions{InsecureExec: true}, ""},
		{"insecure TLS refused", insecure, KubeConfigOptions{}, "--insecure-kubeconfig-tls"},
		{"insecure TLS allowed", insecure, KubeConfigOptions{InsecureTLS: true}, ""},
		{"not a kubeconfig", []byte("token: s3cr3t\n\tnot: yaml"), KubeConfigOptions{}, "does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := RESTConfigFrom(tt.data, tt.opts)
			if tt.want == "" {
				if err != nil || cfg.Timeout != RemoteTimeout {
					t.Fatalf("RESTConfigFrom: %v (timeout %v), want a config with the remote timeout", err, cfg)
				}
				return
			}
			var refused *KubeConfigError
			if !errors.As(err, &refused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("RESTConfigFrom: %v, want a KubeConfigError saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Fatalf("the message shows the kubeconfig's content: %v", err)
			}
		})
	}
}
