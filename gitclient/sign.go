package gitclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Keys of a commit signing key secret, as Flux's image-automation-controller
// documents them: an armored OpenPGP key (type gpg), or an OpenSSH private key
// (type ssh, the same keys as an SSH credentials secret).
const (
	KeySigningGPG           = "git.asc"
	KeySigningGPGPassphrase = "passphrase"
	KeySigningSSH           = KeyIdentity
	KeySigningSSHPassword   = KeyPassword
)

// ErrSigningKey: the signing key secret is unusable; the user must fix it.
var ErrSigningKey = errors.New("invalid signing key")

// Signer signs commits. Build it with SignerFromSecret.
type Signer struct {
	pgp *openpgp.Entity
	ssh ssh.Signer
}

// SignerFromSecret loads the commit signing key of a secret: kind "gpg" (or
// "") reads git.asc and its optional passphrase, kind "ssh" reads identity
// and its optional password. Errors wrap ErrSigningKey, name the key at
// fault and never hold a secret value.
func SignerFromSecret(kind string, data map[string][]byte) (*Signer, error) {
	switch kind {
	case "", "gpg":
		return pgpSigner(data)
	case "ssh":
		return sshSigner(data)
	}
	return nil, newError(ErrSigningKey, "signing key type %q is not supported: use gpg or ssh", kind)
}

func pgpSigner(data map[string][]byte) (*Signer, error) {
	armored, ok := data[KeySigningGPG]
	if !ok {
		return nil, newError(ErrSigningKey, "the signing key secret has no '%s' key: put the armored OpenPGP private key there", KeySigningGPG)
	}
	list, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(armored))
	if err != nil {
		return nil, newError(ErrSigningKey, "'%s' is not an armored OpenPGP key: %v", KeySigningGPG, err)
	}
	var entity *openpgp.Entity
	for _, e := range list {
		if e.PrivateKey != nil {
			entity = e
			break
		}
	}
	if entity == nil {
		return nil, newError(ErrSigningKey, "'%s' holds no private key: export it with gpg --export-secret-keys --armor", KeySigningGPG)
	}
	if entity.PrivateKey.Encrypted {
		pass, ok := data[KeySigningGPGPassphrase]
		if !ok {
			return nil, newError(ErrSigningKey, "the OpenPGP key is protected by a passphrase: put it under '%s'", KeySigningGPGPassphrase)
		}
		if err := entity.DecryptPrivateKeys(bytes.TrimRight(pass, "\r\n")); err != nil {
			return nil, newError(ErrSigningKey, "the passphrase under '%s' does not decrypt the OpenPGP key", KeySigningGPGPassphrase)
		}
	}
	return &Signer{pgp: entity}, nil
}

func sshSigner(data map[string][]byte) (*Signer, error) {
	identity, ok := data[KeySigningSSH]
	if !ok {
		return nil, newError(ErrSigningKey, "the signing key secret has no '%s' key: put the OpenSSH private key there", KeySigningSSH)
	}
	if !bytes.Contains(identity, []byte("BEGIN OPENSSH PRIVATE KEY")) {
		return nil, newError(ErrSigningKey, "'%s' must be an OpenSSH private key (convert others with ssh-keygen -p)", KeySigningSSH)
	}
	s, err := parseIdentity(identity, strings.TrimRight(string(data[KeySigningSSHPassword]), "\r\n"))
	if err != nil {
		// The message names the secret's keys, which are the same here.
		return nil, &gitError{kind: ErrSigningKey, msg: "signing key: " + err.Error()}
	}
	if s.PublicKey().Type() == ssh.KeyAlgoRSA {
		if k, ok := s.PublicKey().(ssh.CryptoPublicKey); ok {
			if rsa, ok := k.CryptoPublicKey().(interface{ Size() int }); ok && rsa.Size()*8 < 2048 {
				return nil, newError(ErrSigningKey, "the RSA key under '%s' is shorter than 2048 bits", KeySigningSSH)
			}
		}
	}
	return &Signer{ssh: s}, nil
}

// Sign returns the armored signature of message, as git writes it in the
// commit's gpgsig header. It implements go-git's Signer.
func (s *Signer) Sign(message io.Reader) ([]byte, error) {
	if s.ssh != nil {
		sig, err := sshsig.Sign(message, s.ssh, sshsig.HashSHA512, "git")
		if err != nil {
			return nil, fmt.Errorf("ssh signature: %w", err)
		}
		return sshsig.Armor(sig), nil
	}
	var out bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&out, s.pgp, message, nil); err != nil {
		return nil, fmt.Errorf("openpgp signature: %w", err)
	}
	return out.Bytes(), nil
}
