package ociartifact

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
)

// KeychainFromDockerConfig reads a docker config JSON, the .dockerconfigjson
// of a kubernetes.io/dockerconfigjson Secret (`{"auths": {"<host>": {...}}}`),
// into a keychain that answers with the entry of the registry's host. A
// registry without an entry is asked anonymously. Entries may name the host
// with a scheme or a path ("https://index.docker.io/v1/"), as docker writes
// them.
func KeychainFromDockerConfig(data []byte) (authn.Keychain, error) {
	var cfg struct {
		Auths map[string]authn.AuthConfig `json:"auths"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		// The JSON error may quote the content, which holds secrets: say
		// only where it is wrong.
		return nil, newError(ErrInvalidCredentials,
			"the docker config JSON cannot be read (%s): fix the Secret's .dockerconfigjson", jsonErrorWhere(err))
	}
	if cfg.Auths == nil {
		return nil, newError(ErrInvalidCredentials,
			`the docker config JSON has no "auths" object: fix the Secret's .dockerconfigjson`)
	}
	kc := dockerConfigKeychain{}
	for host, auth := range cfg.Auths {
		kc[normalizeHost(host)] = auth
	}
	return kc, nil
}

type dockerConfigKeychain map[string]authn.AuthConfig

func (kc dockerConfigKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	auth, ok := kc[normalizeHost(target.RegistryStr())]
	if !ok && target.RegistryStr() == "index.docker.io" {
		auth, ok = kc["docker.io"]
	}
	if !ok || auth == (authn.AuthConfig{}) {
		return authn.Anonymous, nil
	}
	return authn.FromConfig(auth), nil
}

// normalizeHost reduces "https://host:port/v1/" to "host:port".
func normalizeHost(host string) string {
	host = strings.TrimPrefix(host, "https://")
	host = strings.TrimPrefix(host, "http://")
	host, _, _ = strings.Cut(host, "/")
	return strings.ToLower(host)
}

func jsonErrorWhere(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return "invalid JSON at byte " + strconv.FormatInt(syntax.Offset, 10)
	case errors.As(err, &typ):
		return "unexpected " + typ.Value + " at " + strconv.Quote(typ.Field)
	default:
		return `an "auth" field is not base64 of <username>:<password>`
	}
}
