package generate

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// OCISecretOptions are the flags of `tide create secret oci`.
type OCISecretOptions struct {
	Name, Namespace string
	// URL is the registry: ghcr.io, or an address under it
	// (oci://ghcr.io/org/app); the Secret holds the registry's host.
	URL                string
	Username, Password string
}

// dockerAuth is one registry's entry of a docker config JSON.
type dockerAuth struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Auth     string `json:"auth"`
}

// OCISecret returns a kubernetes.io/dockerconfigjson Secret with the
// registry's basic credentials, the kind an OCIRepository's (or an oci
// HelmRepository's) secretRef names. Errors never contain a secret value.
func OCISecret(o OCISecretOptions) (*corev1.Secret, error) {
	host := strings.TrimPrefix(o.URL, "oci://")
	host, _, _ = strings.Cut(host, "/")
	if host == "" || strings.Contains(host, "://") {
		return nil, fmt.Errorf("--url %q is not a registry: use its host, e.g. --url=ghcr.io", o.URL)
	}
	if o.Username == "" || o.Password == "" {
		return nil, errors.New("pass the registry's credentials: --username and --password (a token goes in --password)")
	}
	config, err := json.Marshal(map[string]map[string]dockerAuth{"auths": {host: {
		Username: o.Username, Password: o.Password,
		Auth: base64.StdEncoding.EncodeToString([]byte(o.Username + ":" + o.Password)),
	}}})
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: config},
	}, nil
}
