package gitclient

import (
	"regexp"
	"strings"
	"testing"
)

func TestKeysFingerprint(t *testing.T) {
	a, b := []byte("ssh-ed25519 AAAA-one dev\n"), []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\ntwo\n")
	base := KeysFingerprint(map[string][]byte{"dev.sshpub": a, "ops.asc": b})
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(base) {
		t.Fatalf("fingerprint %q is not sha256:<hex>", base)
	}
	same := map[string]map[string][]byte{
		"data keys renamed":  {"alice.sshpub": a, "bob.asc": b},
		"unused data added":  {"dev.sshpub": a, "ops.asc": b, "README": []byte("who owns which key")},
		"a key stored twice": {"dev.sshpub": a, "copy.sshpub": a, "ops.asc": b},
	}
	for name, keys := range same {
		if got := KeysFingerprint(keys); got != base {
			t.Errorf("%s: fingerprint %s, want %s", name, got, base)
		}
	}
	differ := map[string]map[string][]byte{
		"a key removed":  {"dev.sshpub": a},
		"a key replaced": {"dev.sshpub": []byte("ssh-ed25519 AAAA-three dev\n"), "ops.asc": b},
		"a key added":    {"dev.sshpub": a, "ops.asc": b, "new.sshpub": []byte("ssh-ed25519 AAAA-four\n")},
		"no keys":        {},
	}
	for name, keys := range differ {
		if got := KeysFingerprint(keys); got == base {
			t.Errorf("%s: fingerprint unchanged", name)
		}
	}
	for _, k := range [][]byte{a, b} {
		if strings.Contains(base, string(k)) {
			t.Errorf("fingerprint %q contains key material", base)
		}
	}
}
