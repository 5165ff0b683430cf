package registry

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
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
type SecretError struct{ msg string }

func (e *SecretError) Error() string { return e.msg }

func secretErrorf(format string, args ...any) error {
	return &SecretError{msg: fmt.Sprintf(format, args...)}
}

// OptionsFor reads what reaching repo's registry takes from its Secrets:
// the docker config JSON of spec.secretRef, the certificates of
// spec.certSecretRef (ca.crt, tls.crt, tls.key; the system's CAs kept),
// the proxy of spec.proxySecretRef (address, username, password). It also
// returns a key that is equal for equal settings, for Clients.
func OptionsFor(ctx context.Context, c client.Reader, repo *imagev1.ImageRepository) (Options, string, error) {
	var opts Options
	h := sha256.New()
	field := func(b []byte) { fmt.Fprintf(h, "%d:", len(b)); h.Write(b) }
	field(fmt.Append(nil, repo.Spec.Insecure))

	if ref := repo.Spec.SecretRef; ref != nil {
		secret, err := getSecret(ctx, c, repo.Namespace, ref.Name, "spec.secretRef")
		if err != nil {
			return opts, "", err
		}
		data, err := dockerConfigJSON(secret)
		if err != nil {
			return opts, "", err
		}
		opts.DockerConfigJSON = data
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
	} else if repo.Spec.Insecure {
		// spec.insecure also lets an HTTPS registry's certificate go
		// unchecked, as Flux does for registries tools reach insecurely.
		opts.TLSConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // spec.insecure, as in Flux
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

// dockerConfigJSON returns the Secret's .dockerconfigjson, or its legacy
// .dockercfg (the "auths" object alone) wrapped as one.
func dockerConfigJSON(secret *corev1.Secret) ([]byte, error) {
	if data, ok := secret.Data[corev1.DockerConfigJsonKey]; ok {
		return data, nil
	}
	if data, ok := secret.Data[corev1.DockerConfigKey]; ok {
		var auths map[string]json.RawMessage
		if err := json.Unmarshal(data, &auths); err != nil {
			return nil, secretErrorf("secret '%s' named in spec.secretRef: its .dockercfg is not a JSON object: recreate it with 'kubectl create secret docker-registry'", secret.Name)
		}
		return json.Marshal(map[string]any{"auths": auths})
	}
	return nil, secretErrorf("secret '%s' named in spec.secretRef has no .dockerconfigjson: create it with 'kubectl create secret docker-registry' (or 'flux create secret image')", secret.Name)
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
