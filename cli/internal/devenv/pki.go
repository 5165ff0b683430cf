package devenv

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// credentials are the files the control plane authenticates with, in pki/.
type credentials struct {
	dir        string
	token      string // the admin's bearer token (group system:masters)
	tokenFile  string
	saKey      string // service-account signing key (RSA, PKCS#1)
	saPub      string
	kubeconfig string
}

// writeCredentials makes a service-account key pair and an admin token.
func writeCredentials(stateDir string) (*credentials, error) {
	c := &credentials{dir: filepath.Join(stateDir, "pki")}
	c.tokenFile, c.saKey, c.saPub = filepath.Join(c.dir, "tokens.csv"), filepath.Join(c.dir, "sa.key"), filepath.Join(c.dir, "sa.pub")
	c.kubeconfig = filepath.Join(stateDir, "kubeconfig")
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	c.token = hex.EncodeToString(raw)
	files := map[string][]byte{
		c.saKey:     pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
		c.saPub:     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
		c.tokenFile: fmt.Appendf(nil, "%s,tide-admin,tide-admin,system:masters\n", c.token),
	}
	for path, data := range files {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// writeKubeconfig writes the admin kubeconfig for the apiserver at url. The
// apiserver's certificate is self-signed (--cert-dir): the kubeconfig skips
// its verification, which is fine for a server bound to 127.0.0.1.
func (c *credentials) writeKubeconfig(url string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["tide-dev"] = &clientcmdapi.Cluster{Server: url, InsecureSkipTLSVerify: true}
	cfg.AuthInfos["tide-admin"] = &clientcmdapi.AuthInfo{Token: c.token}
	cfg.Contexts["tide-dev"] = &clientcmdapi.Context{Cluster: "tide-dev", AuthInfo: "tide-admin"}
	cfg.CurrentContext = "tide-dev"
	return clientcmd.WriteToFile(*cfg, c.kubeconfig)
}
