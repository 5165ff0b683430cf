package gitclient

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
)

// Suffixes of the keys of a verification secret.
const (
	PGPKeySuffix = ".asc"    // armored PGP public keys
	SSHKeySuffix = ".sshpub" // SSH public keys, authorized_keys format
)

const (
	pgpSigBegin  = "-----BEGIN PGP SIGNATURE-----"
	sshSigBegin  = "-----BEGIN SSH SIGNATURE-----"
	pgpKeyBegin  = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
	sshNamespace = "git"
)

// VerifyCommit checks the commit's signature against the trusted keys of a
// verification secret: values of keys ending in ".asc" are armored PGP
// public keys, values of keys ending in ".sshpub" are SSH public keys (one
// or more lines in authorized_keys format). It returns the fingerprint of
// the key that verified the signature: a hex PGP primary key fingerprint, or
// "SHA256:..." for SSH. Errors wrap ErrVerification.
func VerifyCommit(c *Commit, keys map[string][]byte) (string, error) {
	what := fmt.Sprintf("commit '%s'", c.ShortHash())
	return verify(what, c.Signature, c.Payload, keys)
}

// VerifyTag checks the signature of the annotated tag that was checked out,
// like VerifyCommit. It fails if the ref was not a tag or the tag is
// lightweight (lightweight tags cannot be signed).
func VerifyTag(c *Commit, keys map[string][]byte) (string, error) {
	if c.Tag == nil {
		return "", newError(ErrVerification,
			"cannot verify the tag of commit '%s': the ref is not an annotated tag (lightweight tags cannot be signed)", c.ShortHash())
	}
	what := fmt.Sprintf("tag '%s'", c.Tag.Name)
	return verify(what, c.Tag.Signature, c.Tag.Payload, keys)
}

func verify(what, signature string, payload []byte, keys map[string][]byte) (string, error) {
	sig := strings.TrimSpace(signature)
	if sig == "" {
		return "", newError(ErrVerification, "%s is not signed", what)
	}
	if strings.Count(sig, "-----BEGIN ") > 1 {
		return "", newError(ErrVerification, "%s has more than one signature, which is not supported", what)
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		if strings.HasSuffix(k, PGPKeySuffix) || strings.HasSuffix(k, SSHKeySuffix) {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return "", newError(ErrVerification,
			"cannot verify %s: the verification secret has no '*%s' (PGP) or '*%s' (SSH) keys", what, PGPKeySuffix, SSHKeySuffix)
	}
	sort.Strings(names)
	switch {
	case strings.HasPrefix(sig, pgpSigBegin):
		return verifyPGP(what, sig, payload, keys, names)
	case strings.HasPrefix(sig, sshSigBegin):
		return verifySSH(what, sig, payload, keys, names)
	default:
		return "", newError(ErrVerification, "%s has a signature of a kind that cannot be verified (only PGP and SSH are)", what)
	}
}

func verifyPGP(what, sig string, payload []byte, keys map[string][]byte, names []string) (string, error) {
	var ring openpgp.EntityList
	for _, name := range names {
		if !strings.HasSuffix(name, PGPKeySuffix) {
			continue
		}
		list, err := readArmoredKeys(keys[name])
		if err != nil {
			return "", newError(ErrVerification, "verification secret key '%s' is not an armored PGP public key: %v", name, err)
		}
		ring = append(ring, list...)
	}
	if len(ring) == 0 {
		return "", newError(ErrVerification,
			"%s has a PGP signature but the verification secret has no '*%s' keys", what, PGPKeySuffix)
	}
	signer, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(payload), strings.NewReader(sig), nil)
	if err != nil {
		return "", &gitError{kind: ErrVerification, cause: err, msg: fmt.Sprintf(
			"no trusted key verified the PGP signature of %s (signed by key %s): %v", what, pgpIssuer(sig), err)}
	}
	return strings.ToUpper(hex.EncodeToString(signer.PrimaryKey.Fingerprint)), nil
}

// readArmoredKeys reads every armored public key block of a value.
func readArmoredKeys(data []byte) (openpgp.EntityList, error) {
	blocks := strings.SplitAfter(string(data), "-----END PGP PUBLIC KEY BLOCK-----")
	var out openpgp.EntityList
	for _, b := range blocks {
		if !strings.Contains(b, pgpKeyBegin) {
			continue
		}
		list, err := openpgp.ReadArmoredKeyRing(strings.NewReader(b))
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %q block found", pgpKeyBegin)
	}
	return out, nil
}

// pgpIssuer names the key that made a PGP signature, for error messages.
func pgpIssuer(sig string) string {
	block, err := armor.Decode(strings.NewReader(sig))
	if err != nil {
		return "unknown"
	}
	p, err := packet.Read(block.Body)
	s, ok := p.(*packet.Signature)
	switch {
	case err != nil || !ok:
		return "unknown"
	case len(s.IssuerFingerprint) > 0:
		return strings.ToUpper(hex.EncodeToString(s.IssuerFingerprint))
	case s.IssuerKeyId != nil:
		return fmt.Sprintf("%016X", *s.IssuerKeyId)
	}
	return "unknown"
}

func verifySSH(what, armored string, payload []byte, keys map[string][]byte, names []string) (string, error) {
	sig, err := sshsig.Unarmor([]byte(armored))
	if err != nil {
		return "", newError(ErrVerification, "the SSH signature of %s cannot be parsed: %v", what, err)
	}
	var trusted []ssh.PublicKey
	for _, name := range names {
		if !strings.HasSuffix(name, SSHKeySuffix) {
			continue
		}
		list, err := parseAuthorizedKeys(keys[name])
		if err != nil {
			return "", newError(ErrVerification, "verification secret key '%s' is not valid: %v", name, err)
		}
		trusted = append(trusted, list...)
	}
	if len(trusted) == 0 {
		return "", newError(ErrVerification,
			"%s has an SSH signature but the verification secret has no '*%s' keys", what, SSHKeySuffix)
	}
	signer := ssh.FingerprintSHA256(sig.PublicKey)
	for _, pub := range trusted {
		if ssh.FingerprintSHA256(pub) != signer {
			continue
		}
		if err := sshsig.Verify(bytes.NewReader(payload), sig, pub, sig.HashAlgorithm, sshNamespace); err != nil {
			return "", &gitError{kind: ErrVerification, cause: err, msg: fmt.Sprintf(
				"the SSH signature of %s by trusted key %s is not valid: %v", what, signer, err)}
		}
		return signer, nil
	}
	return "", newError(ErrVerification, "no trusted key verified the SSH signature of %s (signed by key %s)", what, signer)
}

// parseAuthorizedKeys reads one or more authorized_keys lines.
func parseAuthorizedKeys(data []byte) ([]ssh.PublicKey, error) {
	var out []ssh.PublicKey
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("line %d is not an SSH public key in authorized_keys format", i+1)
		}
		out = append(out, pub)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no SSH public key found")
	}
	return out, nil
}
