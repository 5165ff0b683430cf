package ocirepository

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/tidegitops/tide/ociartifact"
)

// maxClients bounds the registry clients kept; beyond it the least recently
// used goes. One client serves every object with equal settings.
const maxClients = 256

// clientCache keeps one registry client per set of settings (credentials,
// certificates, proxy, insecure), so that objects reconciled again, or
// sharing a registry and its credentials, reuse the authentication
// handshake and connections: an unchanged artifact then costs one manifest
// HEAD and nothing else. Settings are keyed by a hash, so no secret is held
// twice; a rotated Secret is simply a new key.
type clientCache struct {
	mu      sync.Mutex
	clients map[string]*cachedClient
	tick    uint64
	// newClient makes a client; ociartifact.NewClient unless a test says.
	newClient func(ociartifact.Options) (*ociartifact.Client, error)
}

type cachedClient struct {
	client   *ociartifact.Client
	lastUsed uint64
}

func (c *clientCache) get(opts ociartifact.Options, tlsData map[string][]byte) (*ociartifact.Client, error) {
	key := optionsKey(opts, tlsData)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	if cc, ok := c.clients[key]; ok {
		cc.lastUsed = c.tick
		return cc.client, nil
	}
	newClient := c.newClient
	if newClient == nil {
		newClient = ociartifact.NewClient
	}
	client, err := newClient(opts)
	if err != nil {
		return nil, err
	}
	if c.clients == nil {
		c.clients = map[string]*cachedClient{}
	}
	if len(c.clients) >= maxClients {
		c.evictOldest()
	}
	c.clients[key] = &cachedClient{client: client, lastUsed: c.tick}
	return client, nil
}

func (c *clientCache) evictOldest() {
	var oldest string
	var at uint64
	for key, cc := range c.clients {
		if oldest == "" || cc.lastUsed < at {
			oldest, at = key, cc.lastUsed
		}
	}
	delete(c.clients, oldest)
}

// optionsKey hashes what makes two clients differ. tlsData is the content
// of the certificate Secret the TLS configuration was built from: a
// tls.Config cannot be compared, its source can.
func optionsKey(opts ociartifact.Options, tlsData map[string][]byte) string {
	h := sha256.New()
	field := func(b []byte) {
		fmt.Fprintf(h, "%d:", len(b))
		h.Write(b)
	}
	field([]byte(opts.Username))
	field([]byte(opts.Password))
	field(opts.DockerConfigJSON)
	field([]byte(opts.UserAgent))
	field([]byte(fmt.Sprint(opts.Insecure, opts.TLSConfig != nil)))
	if opts.ProxyURL != nil {
		field([]byte(opts.ProxyURL.String()))
	} else {
		field(nil)
	}
	for _, k := range slices.Sorted(maps.Keys(tlsData)) {
		field([]byte(k))
		field(tlsData[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}
