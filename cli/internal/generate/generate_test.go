package generate

import (
	"strings"
	"testing"
	"time"
)

func TestKustomizationPaths(t *testing.T) {
	tests := map[string]string{"": "./", ".": "./", "deploy": "./deploy", "./a/../b/": "./b"}
	for in, want := range tests {
		ks, err := Kustomization(KustomizationOptions{Name: "k", Source: "r", Path: in, Interval: time.Minute})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if ks.Spec.Path != want {
			t.Errorf("path %q -> %q, want %q", in, ks.Spec.Path, want)
		}
	}
	for _, bad := range []string{"/abs", "../up"} {
		if _, err := Kustomization(KustomizationOptions{Name: "k", Source: "r", Path: bad, Interval: time.Minute}); err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
}

func TestGitSecretNeverEchoesValues(t *testing.T) {
	opts := []GitSecretOptions{
		{URL: "https://h/r", Username: "u", Password: ""},
		{URL: "https://h/r", Password: "hunter2"},
		{URL: "https://h/r", BearerToken: "hunter2", Username: "u", Password: "hunter2"},
		{URL: "ssh://git@h/r", PrivateKey: []byte("hunter2"), KnownHosts: []byte("h ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n")},
		{URL: "ssh://git@h/r", KnownHosts: []byte("hunter2")},
	}
	for _, o := range opts {
		_, _, err := GitSecret(o)
		if err == nil {
			t.Errorf("%+v accepted", o)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error shows a secret value: %v", err)
		}
	}
}

func TestGitSecretGeneratesKey(t *testing.T) {
	s, deployKey, err := GitSecret(GitSecretOptions{Name: "s", URL: "ssh://git@h/r",
		KnownHosts: []byte("h ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(deployKey, "ssh-ed25519 ") || strings.TrimSpace(string(s.Data[KeyIdentityPub])) != deployKey {
		t.Errorf("deploy key %q does not match identity.pub %q", deployKey, s.Data[KeyIdentityPub])
	}
}
