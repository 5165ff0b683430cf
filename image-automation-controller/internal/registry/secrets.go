package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/fluxcd/pkg/runtime/secrets"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
)

// SecretError is a Secret an ImageRepository names that is missing or
// cannot be used: the user must fix it. Other errors reading Secrets are
// the apiserver's, transient.
type SecretError struct {
	msg string
	// viaServiceAccount: the fault is spec.serviceAccountName's (the
	// account, or a Secret only it names), which no watch of the
	// repository's own Secrets sees fixed.
	viaServiceAccount bool
}

func (e *SecretError) Error() string { return e.msg }

// ViaServiceAccount reports a fault of spec.serviceAccountName's account or
// of its imagePullSecrets.
func (e *SecretError) ViaServiceAccount() bool { return e.viaServiceAccount }

func secretErrorf(format string, args ...any) error {
	return &SecretError{msg: fmt.Sprintf(format, args...)}
}

// OptionsFor reads what reaching repo's registry takes from its Secrets:
// the docker config JSON of spec.secretRef and of the imagePullSecrets of
// spec.serviceAccountName (the first naming a host wins), the certificates of
// spec.certSecretRef (ca.crt, tls.crt, tls.key; the system's CAs kept),
// the proxy of spec.proxySecretRef (address, username, password). It also
// returns a key that is equal for equal settings, for Clients.
func OptionsFor(ctx context.Context, c client.Reader, repo *imagev1.ImageRepository) (Options, string, error) {
	var opts Options
	h := sha256.New()
	field := func(b []byte) { fmt.Fprintf(h, "%d:", len(b)); h.Write(b) }
	field(fmt.Append(nil, repo.Spec.Insecure))

	configs, err := dockerConfigs(ctx, c, repo)
	if err != nil {
		return opts, "", err
	}
	if opts.DockerConfigJSON, err = mergeDockerConfigs(configs); err != nil {
		return opts, "", err
	}
	field(opts.DockerConfigJSON)

	if ref := repo.Spec.CertSecretRef; ref != nil {
		secret, err := getSecret(ctx, c, repo.Namespace, ref.Name, "spec.certSecretRef")
		if err != nil {
			return opts, "", err
		}
		cfg, err := secrets.TLSConfigFromSecret(ctx, secret, secrets.WithSystemCertPool())
		if err != nil {
			return opts, "", secretErrorf(
				"secret '%s' named in spec.certSecretRef cannot be used (%s): it needs a PEM ca.crt, or tls.crt with tls.key, or all three",
				ref.Name, err.Error())
		}
		opts.TLSConfig = cfg
		for _, k := range slices.Sorted(maps.Keys(secret.Data)) {
			field([]byte(k))
			field(secret.Data[k])
		}
	}

	if ref := repo.Spec.ProxySecretRef; ref != nil {
		secret, err := getSecret(ctx, c, repo.Namespace, ref.Name, "spec.proxySecretRef")
		if err != nil {
			return opts, "", err
		}
		proxy, err := secrets.ProxyURLFromSecret(ctx, secret)
		if err != nil {
			// The parse error may quote the address, and with it a password.
			msg := "its 'address' is not a valid http, https or socks5 URL"
			if _, ok := errors.AsType[*secrets.KeyNotFoundError](err); ok {
				msg = "it has no 'address'"
			}
			return opts, "", secretErrorf("secret '%s' named in spec.proxySecretRef cannot be used: %s: fix the Secret", ref.Name, msg)
		}
		opts.ProxyURL = proxy
		field([]byte(proxy.String()))
	}
	return opts, hex.EncodeToString(h.Sum(nil)), nil
}

func getSecret(ctx context.Context, c client.Reader, namespace, name, field string) (*corev1.Secret, error) {
	secret := &corev1.Secret{}
	err := c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, secret)
	if apierrors.IsNotFound(err) {
		return nil, secretErrorf("secret '%s/%s' named in %s does not exist: create it, or fix the name", namespace, name, field)
	}
	if err != nil {
		return nil, err
	}
	return secret, nil
}

// dockerConfigs reads the docker configs of spec.secretRef, then those of
// the imagePullSecrets of spec.serviceAccountName, as Flux reads them for
// the generic provider.
func dockerConfigs(ctx context.Context, c client.Reader, repo *imagev1.ImageRepository) ([][]byte, error) {
	var names, fields []string
	if ref := repo.Spec.SecretRef; ref != nil {
		names, fields = append(names, ref.Name), append(fields, "spec.secretRef")
	}
	if sa := repo.Spec.ServiceAccountName; sa != "" {
		account := &corev1.ServiceAccount{}
		err := c.Get(ctx, types.NamespacedName{Namespace: repo.Namespace, Name: sa}, account)
		if apierrors.IsNotFound(err) {
			return nil, &SecretError{viaServiceAccount: true, msg: fmt.Sprintf(
				"service account '%s/%s' named in spec.serviceAccountName does not exist: create it, or fix the name", repo.Namespace, sa)}
		}
		if err != nil {
			return nil, err
		}
		for _, ps := range account.ImagePullSecrets {
			names, fields = append(names, ps.Name), append(fields, "the imagePullSecrets of service account '"+sa+"'")
		}
	}
	var configs [][]byte
	for i, name := range names {
		secret, err := getSecret(ctx, c, repo.Namespace, name, fields[i])
		if err == nil {
			var data []byte
			if data, err = dockerConfigJSON(secret); err == nil {
				configs = append(configs, data)
				continue
			}
		}
		if se, ok := errors.AsType[*SecretError](err); ok && fields[i] != "spec.secretRef" {
			se.viaServiceAccount = true
		}
		return nil, err
	}
	return configs, nil
}

// mergeDockerConfigs joins the "auths" of docker configs into one; for a
// host named twice, the first wins. None gives nil: anonymous.
func mergeDockerConfigs(configs [][]byte) ([]byte, error) {
	switch len(configs) {
	case 0:
		return nil, nil
	case 1:
		return configs[0], nil
	}
	merged := map[string]json.RawMessage{}
	for _, data := range configs {
		var cfg struct {
			Auths map[string]json.RawMessage `json:"auths"`
		}
		if err := json.Unmarshal(data, &cfg); err != nil {
			// The JSON error may quote the content, which holds secrets.
			return nil, newError(ErrInvalidCredentials,
				"a docker config Secret's .dockerconfigjson is not valid JSON: recreate it with 'kubectl create secret docker-registry'")
		}
		for host, auth := range cfg.Auths {
			if _, ok := merged[host]; !ok {
				merged[host] = auth
			}
		}
	}
	return json.Marshal(map[string]any{"auths": merged})
}

// dockerConfigJSON returns the Secret's .dockerconfigjson, or its legacy
// .dockercfg (the "auths" object alone) wrapped as one.
func dockerConfigJSON(secret *corev1.Secret) ([]byte, error) {
	if data, ok := secret.Data[corev1.DockerConfigJsonKey]; ok {
		return data, nil
	}
	if data, ok := secret.Data[corev1.DockerConfigKey]; ok {
		var auths map[string]json.RawMessage
		if err := json.Unmarshal(data, &auths); err != nil {
			return nil, secretErrorf("secret '%s': its .dockercfg is not a JSON object: recreate it with 'kubectl create secret docker-registry'", secret.Name)
		}
		return json.Marshal(map[string]any{"auths": auths})
	}
	return nil, secretErrorf("secret '%s' has no .dockerconfigjson: create it with 'kubectl create secret docker-registry' (or 'flux create secret image')", secret.Name)
}

// maxClients bounds the clients Clients keeps; past it, the least recently
// used goes.
const maxClients = 256

// Clients keeps one Client per set of settings, so that repositories
// scanned again, or sharing a registry and credentials, reuse the
// registry's authentication handshake and connections. Settings are keyed
// by a hash: no secret is held twice, and a rotated Secret is a new key.
type Clients struct {
	// RateLimit is given to every client made; zero is DefaultRateLimit.
	RateLimit RateLimit

	mu      sync.Mutex
	clients map[string]*cached
	tick    uint64
}

type cached struct {
	client   *Client
	lastUsed uint64
}

// Get returns the client for opts, made once per key.
func (c *Clients) Get(opts Options, key string) (*Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	if cc, ok := c.clients[key]; ok {
		cc.lastUsed = c.tick
		return cc.client, nil
	}
	if opts.RateLimit == (RateLimit{}) {
		opts.RateLimit = c.RateLimit
	}
	client, err := New(opts)
	if err != nil {
		return nil, err
	}
	if c.clients == nil {
		c.clients = map[string]*cached{}
	}
	if len(c.clients) >= maxClients {
		oldest := ""
		for k, cc := range c.clients {
			if oldest == "" || cc.lastUsed < c.clients[oldest].lastUsed {
				oldest = k
			}
		}
		delete(c.clients, oldest)
	}
	c.clients[key] = &cached{client: client, lastUsed: c.tick}
	return client, nil
}
