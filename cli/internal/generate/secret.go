package generate

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/crypto/ssh"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Keys of a Git credentials Secret, as the source-controller reads them.
const (
	KeyUsername    = "username"
	KeyPassword    = "password"
	KeyBearerToken = "bearerToken"
	KeyCA          = "ca.crt"
	KeyIdentity    = "identity"
	KeyIdentityPub = "identity.pub"
	KeyKnownHosts  = "known_hosts"
)

// GitSecretOptions are the flags of `tide create secret git`; file flags
// are passed as the files' contents.
type GitSecretOptions struct {
	Name, Namespace string
	URL             string
	Username        string
	Password        string
	BearerToken     string
	PrivateKey      []byte
	KnownHosts      []byte
	CA              []byte
}

// GitSecret returns the Secret the options describe. For an ssh URL with
// no private key it generates an ed25519 key and returns its public half,
// to be added to the Git host as a deploy key. Errors never contain a
// secret value.
func GitSecret(o GitSecretOptions) (secret *corev1.Secret, deployKey string, err error) {
	u, err := url.Parse(o.URL)
	if err != nil || u.Host == "" {
		return nil, "", fmt.Errorf("--url is not a Git URL: use https://host/org/repo or ssh://git@host/org/repo")
	}
	data := map[string][]byte{}
	switch u.Scheme {
	case "http", "https":
		if err := httpCredentials(o, data); err != nil {
			return nil, "", err
		}
	case "ssh":
		deployKey, err = sshCredentials(o, u, data)
		if err != nil {
			return nil, "", err
		}
	default:
		return nil, "", fmt.Errorf("--url scheme %q is not supported: use http, https or ssh", u.Scheme)
	}
	if len(o.CA) > 0 {
		if u.Scheme == "ssh" {
			return nil, "", errors.New("--ca-file is for https URLs; ssh trusts the hosts in --ssh-known-hosts-file")
		}
		if err := checkCA(o.CA); err != nil {
			return nil, "", err
		}
		data[KeyCA] = o.CA
	}
	return newSecret(o.Name, o.Namespace, data), deployKey, nil
}

// newSecret is an Opaque Secret holding data.
func newSecret(name, namespace string, data map[string][]byte) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       data,
	}
}

// checkCA refuses a --ca-file without a PEM certificate.
func checkCA(ca []byte) error {
	if b, _ := pem.Decode(ca); b == nil || b.Type != "CERTIFICATE" {
		return errors.New("--ca-file holds no PEM certificate: pass the CA certificate of the Git server")
	}
	return nil
}

func httpCredentials(o GitSecretOptions, data map[string][]byte) error {
	switch {
	case len(o.PrivateKey) > 0 || len(o.KnownHosts) > 0:
		return errors.New("--private-key-file and --ssh-known-hosts-file are for ssh URLs; use --username/--password or --bearer-token over https")
	case o.BearerToken != "" && (o.Username != "" || o.Password != ""):
		return errors.New("pass either --bearer-token or --username and --password, not both")
	case o.BearerToken != "":
		data[KeyBearerToken] = []byte(o.BearerToken)
	case o.Username != "" && o.Password == "":
		return errors.New("--username needs --password (for a token, pass it as the password or use --bearer-token)")
	case o.Password != "" && o.Username == "":
		return errors.New("--password needs --username (or use --bearer-token)")
	case o.Username != "":
		data[KeyUsername] = []byte(o.Username)
		data[KeyPassword] = []byte(o.Password)
	}
	return nil
}

func sshCredentials(o GitSecretOptions, u *url.URL, data map[string][]byte) (string, error) {
	if o.Username != "" || o.BearerToken != "" {
		return "", errors.New("--username and --bearer-token are for https URLs; over ssh pass --private-key-file (or none, to generate a key)")
	}
	if len(o.KnownHosts) == 0 {
		port := u.Port()
		if port == "" {
			port = "22"
		}
		return "", fmt.Errorf("an ssh URL needs the server's host keys: run 'ssh-keyscan -p %s %s > known_hosts' (and check them) and pass --ssh-known-hosts-file=known_hosts", port, u.Hostname())
	}
	if _, _, _, _, _, err := ssh.ParseKnownHosts(o.KnownHosts); err != nil {
		return "", errors.New("--ssh-known-hosts-file is not in known_hosts format: create it with ssh-keyscan")
	}
	data[KeyKnownHosts] = o.KnownHosts
	key := o.PrivateKey
	var deployKey string
	if len(key) == 0 {
		var err error
		if key, deployKey, err = newKey(); err != nil {
			return "", err
		}
	}
	signer, err := parseKey(key, o.Password)
	if err != nil {
		return "", err
	}
	data[KeyIdentity] = key
	data[KeyIdentityPub] = ssh.MarshalAuthorizedKey(signer.PublicKey())
	if o.Password != "" {
		data[KeyPassword] = []byte(o.Password)
	}
	return deployKey, nil
}

func parseKey(key []byte, passphrase string) (ssh.Signer, error) {
	if passphrase != "" {
		s, err := ssh.ParsePrivateKeyWithPassphrase(key, []byte(passphrase))
		if err != nil {
			return nil, errors.New("--private-key-file cannot be decrypted with --password: check the passphrase")
		}
		return s, nil
	}
	s, err := ssh.ParsePrivateKey(key)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		return nil, errors.New("--private-key-file is encrypted: pass its passphrase with --password")
	}
	if err != nil {
		return nil, errors.New("--private-key-file is not an ssh private key (PEM or OpenSSH format)")
	}
	return s, nil
}

// newKey generates an ed25519 key: the private key in OpenSSH PEM form and
// the public key in authorized_keys form.
func newKey() ([]byte, string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, "", err
	}
	block, err := ssh.MarshalPrivateKey(priv, "tide")
	if err != nil {
		return nil, "", err
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, "", err
	}
	return pem.EncodeToMemory(block), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))), nil
}

// ExportSecret returns s as a manifest with stringData, for --export.
func ExportSecret(s *corev1.Secret) map[string]any {
	str := map[string]string{}
	for k, v := range s.Data {
		str[k] = string(v)
	}
	return map[string]any{
		"apiVersion": "v1",
		"kind":       "Secret",
		"metadata":   map[string]any{"name": s.Name, "namespace": s.Namespace},
		"type":       string(s.Type),
		"stringData": str,
	}
}
