package gitclient

import (
	"bytes"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/skeema/knownhosts"
	"golang.org/x/crypto/ssh"
)

func sshAuthFromSecret(ep *transport.Endpoint, data map[string][]byte, get func(string) string) (*Auth, error) {
	identity, hosts := data[KeyIdentity], data[KeyKnownHosts]
	var missing []string
	if len(bytes.TrimSpace(identity)) == 0 {
		missing = append(missing, "'"+KeyIdentity+"'")
	}
	if len(bytes.TrimSpace(hosts)) == 0 {
		missing = append(missing, "'"+KeyKnownHosts+"'")
	}
	if len(missing) > 0 {
		return nil, newError(ErrInvalidAuth, "ssh URL needs '%s' and '%s' keys in the secret: add %s",
			KeyIdentity, KeyKnownHosts, strings.Join(missing, " and "))
	}
	signer, err := parseIdentity(identity, get(KeyPassword))
	if err != nil {
		return nil, err
	}
	hostWithPort := net.JoinHostPort(strings.Trim(ep.Host, "[]"), strconv.Itoa(portOr22(ep.Port)))
	callback, algos, err := parseKnownHosts(hosts, hostWithPort)
	if err != nil {
		return nil, err
	}
	user := ep.User
	if user == "" {
		user = "git"
	}
	pk := &gitssh.PublicKeys{User: user, Signer: signer}
	pk.HostKeyCallback = callback
	pk.HostKeyAlgorithms = algos
	return &Auth{Method: pk}, nil
}

func portOr22(p int) int {
	if p == 0 {
		return 22
	}
	return p
}

// parseIdentity parses the private key, decrypting it with passphrase when
// it is encrypted. Messages never include key material.
func parseIdentity(identity []byte, passphrase string) (ssh.Signer, error) {
	key, err := ssh.ParseRawPrivateKey(identity)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if passphrase == "" {
			return nil, newError(ErrInvalidAuth,
				"'%s' is encrypted: add its passphrase under the '%s' key", KeyIdentity, KeyPassword)
		}
		key, err = ssh.ParseRawPrivateKeyWithPassphrase(identity, []byte(passphrase))
		if err != nil {
			if errors.Is(err, x509.IncorrectPasswordError) {
				return nil, newError(ErrInvalidAuth,
					"'%s' cannot be decrypted with '%s': wrong '%s'?", KeyIdentity, KeyPassword, KeyPassword)
			}
			return nil, newError(ErrInvalidAuth,
				"'%s' is not a valid private key, or cannot be decrypted with '%s' (wrong '%s'?)",
				KeyIdentity, KeyPassword, KeyPassword)
		}
	}
	if err != nil {
		return nil, newError(ErrInvalidAuth,
			"'%s' is not a valid private key: it must be a PEM or OpenSSH private key", KeyIdentity)
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, newError(ErrInvalidAuth, "'%s' holds a key type SSH cannot use", KeyIdentity)
	}
	return signer, nil
}

// parseKnownHosts checks every line of known_hosts and returns a host key
// callback with the host key algorithms to offer for hostWithPort.
func parseKnownHosts(data []byte, hostWithPort string) (ssh.HostKeyCallback, []string, error) {
	entries, hasCA := 0, false
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		marker, _, _, _, _, err := ssh.ParseKnownHosts([]byte(line))
		if err != nil {
			return nil, nil, newError(ErrInvalidAuth,
				"'%s' is not valid: line %d is not a known_hosts entry (%v): use the output of ssh-keyscan",
				KeyKnownHosts, i+1, err)
		}
		entries++
		hasCA = hasCA || marker == "cert-authority"
	}
	if entries == 0 {
		return nil, nil, newError(ErrInvalidAuth, "'%s' has no host keys: use the output of ssh-keyscan", KeyKnownHosts)
	}
	// The known_hosts parser only reads files: use a private temporary one.
	f, err := os.CreateTemp("", "known_hosts-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.Remove(f.Name())
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, nil, werr
	}
	db, err := knownhosts.NewDB(f.Name())
	if err != nil {
		return nil, nil, newError(ErrInvalidAuth, "'%s' is not valid: use the output of ssh-keyscan", KeyKnownHosts)
	}
	algos := db.HostKeyAlgorithms(hostWithPort)
	if len(algos) == 0 && !hasCA {
		return nil, nil, newError(ErrInvalidAuth,
			"'%s' has no key for host %s: add it (ssh-keyscan -p PORT HOST)", KeyKnownHosts, knownhosts.Normalize(hostWithPort))
	}
	return db.HostKeyCallback(), algos, nil
}
