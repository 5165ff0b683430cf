package gitclient

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/tidegitops/tide/testkit"
	"golang.org/x/crypto/ssh"
)

func TestVerify(t *testing.T) {
	srv := testkit.StartGitServer(t)
	url := srv.HTTPURL("signed")
	unsigned := srv.NewRepo(t, "signed").Write("a.txt", "a").Commit("unsigned")

	pgpKey, pgpPub := testkit.NewPGPKey(t, "trusted")
	_, otherPGP := testkit.NewPGPKey(t, "other")
	sshKey, sshPub := testkit.NewSSHKey(t)
	_, otherSSH := testkit.NewSSHKey(t)

	w := testkit.CloneWork(t, url)
	w.Tag("light", "", nil)
	w.Tag("plain", "an unsigned annotated tag", nil)
	pgpCommit := w.Write("a.txt", "b").Commit("signed with PGP", pgpKey, nil)
	w.Tag("v1.0.0", "a signed tag", pgpKey)
	w.Write("a.txt", "c").Commit("signed with SSH", nil, testkit.SSHSigner{Signer: sshKey})
	w.Push()

	checkout := func(ref Ref) *Commit {
		t.Helper()
		c, err := Checkout(context.Background(), url, nil, ref, t.TempDir(), CheckoutOptions{})
		if err != nil {
			t.Fatalf("checkout %+v: %v", ref, err)
		}
		return c
	}
	unsignedC := checkout(Ref{Branch: "master", Commit: unsigned})
	pgpC := checkout(Ref{Branch: "master", Commit: pgpCommit})
	sshC := checkout(Ref{Branch: "master"})
	tagC := checkout(Ref{Tag: "v1.0.0"})
	plainTagC := checkout(Ref{Tag: "plain"})
	lightC := checkout(Ref{Tag: "light"})
	tampered := *pgpC
	tampered.Payload = []byte(strings.Replace(string(pgpC.Payload), "signed with PGP", "signed with PGP!", 1))

	pgpFP := strings.ToUpper(hex.EncodeToString(pgpKey.PrimaryKey.Fingerprint))
	sshFP := ssh.FingerprintSHA256(sshKey.PublicKey())
	type keys = map[string][]byte
	tests := []struct {
		name    string
		verify  func(*Commit, map[string][]byte) (string, error)
		commit  *Commit
		keys    keys
		wantFP  string
		wantErr string
	}{
		{"PGP commit", VerifyCommit, pgpC, keys{"trusted.asc": pgpPub}, pgpFP, ""},
		{"PGP commit among several keys", VerifyCommit, pgpC,
			keys{"a.asc": otherPGP, "b.asc": append(append([]byte{}, otherPGP...), pgpPub...), "c.sshpub": sshPub, "README": []byte("ignored")}, pgpFP, ""},
		{"PGP commit, untrusted key", VerifyCommit, pgpC, keys{"other.asc": otherPGP}, "", "no trusted key verified the PGP signature of commit '" + pgpC.ShortHash() + "'"},
		{"PGP commit, only SSH keys", VerifyCommit, pgpC, keys{"k.sshpub": sshPub}, "", "has a PGP signature but the verification secret has no '*.asc' keys"},
		{"PGP commit, tampered", VerifyCommit, &tampered, keys{"trusted.asc": pgpPub}, "", "no trusted key verified"},
		{"SSH commit", VerifyCommit, sshC, keys{"k.sshpub": sshPub}, sshFP, ""},
		{"SSH commit, key among lines", VerifyCommit, sshC, keys{"k.sshpub": []byte("# team\n" + string(otherSSH) + string(sshPub))}, sshFP, ""},
		{"SSH commit, untrusted key", VerifyCommit, sshC, keys{"k.sshpub": otherSSH}, "", "no trusted key verified the SSH signature of commit '" + sshC.ShortHash() + "' (signed by key " + sshFP + ")"},
		{"unsigned commit", VerifyCommit, unsignedC, keys{"trusted.asc": pgpPub}, "", "commit '" + unsignedC.ShortHash() + "' is not signed"},
		{"no keys", VerifyCommit, pgpC, keys{"README": []byte("x")}, "", "the verification secret has no '*.asc' (PGP) or '*.sshpub' (SSH) keys"},
		{"invalid PGP key", VerifyCommit, pgpC, keys{"bad.asc": []byte("garbage")}, "", "verification secret key 'bad.asc' is not an armored PGP public key"},
		{"invalid SSH key", VerifyCommit, sshC, keys{"bad.sshpub": []byte("ssh-ed25519 garbage")}, "", "verification secret key 'bad.sshpub' is not valid: line 1"},
		{"signed tag", VerifyTag, tagC, keys{"trusted.asc": pgpPub}, pgpFP, ""},
		{"signed tag, untrusted key", VerifyTag, tagC, keys{"other.asc": otherPGP}, "", "no trusted key verified the PGP signature of tag 'v1.0.0'"},
		{"unsigned annotated tag", VerifyTag, plainTagC, keys{"trusted.asc": pgpPub}, "", "tag 'plain' is not signed"},
		{"lightweight tag", VerifyTag, lightC, keys{"trusted.asc": pgpPub}, "", "not an annotated tag"},
		{"branch is no tag", VerifyTag, sshC, keys{"k.sshpub": sshPub}, "", "not an annotated tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp, err := tt.verify(tt.commit, tt.keys)
			if tt.wantErr == "" {
				if err != nil || fp != tt.wantFP {
					t.Fatalf("verify = %q, %v; want %q", fp, err, tt.wantFP)
				}
				return
			}
			if !errors.Is(err, ErrVerification) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want ErrVerification containing %q", err, tt.wantErr)
			}
			t.Log(err)
		})
	}
	if tagC.Tag == nil || tagC.Hash != pgpCommit || !strings.HasPrefix(pgpC.Signature, "-----BEGIN PGP SIGNATURE-----") {
		t.Errorf("checkout of the signed tag = %+v", tagC)
	}
}
