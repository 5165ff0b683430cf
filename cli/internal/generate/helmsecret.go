package generate

import (
	"crypto/tls"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// Keys of the TLS client certificate in a HelmRepository's Secret.
const (
	KeyTLSCert = "tls.crt"
	KeyTLSKey  = "tls.key"
)

// HelmCredentials are the credential flags of `tide create source helm`;
// file flags are passed as the files' contents.
type HelmCredentials struct {
	Username, Password string
	CertFile, KeyFile  []byte
	CA                 []byte
}

func (c HelmCredentials) empty() bool {
	return c.Username == "" && c.Password == "" && len(c.CertFile) == 0 && len(c.KeyFile) == 0 && len(c.CA) == 0
}

// HelmSecretName is the Secret `tide create source helm NAME` writes the
// credentials flags into, as `flux create source helm` names it.
func HelmSecretName(repository string) string { return "helm-" + repository }

// HelmRepositorySecret returns the Secret of the options' credential
// flags (nil when none is given), named by HelmSecretName, with the keys
// the source-controller reads: username and password, tls.crt and tls.key,
// ca.crt. Errors never contain a secret value.
func HelmRepositorySecret(o HelmRepositoryOptions) (*corev1.Secret, error) {
	c := o.Credentials
	if c.empty() {
		return nil, nil
	}
	if o.SecretRef != "" {
		return nil, errors.New("pass either --secret-ref or the credentials (--username, --password, --cert-file, --key-file, --ca-file), not both")
	}
	data := map[string][]byte{}
	switch {
	case c.Username != "" && c.Password == "":
		return nil, errors.New("--username needs --password")
	case c.Password != "" && c.Username == "":
		return nil, errors.New("--password needs --username")
	case c.Username != "":
		data[KeyUsername], data[KeyPassword] = []byte(c.Username), []byte(c.Password)
	}
	switch {
	case (len(c.CertFile) > 0) != (len(c.KeyFile) > 0):
		return nil, errors.New("--cert-file and --key-file go together: pass the client certificate and its key")
	case len(c.CertFile) > 0:
		if _, err := tls.X509KeyPair(c.CertFile, c.KeyFile); err != nil {
			return nil, fmt.Errorf("--cert-file and --key-file are not a PEM certificate and its private key")
		}
		data[KeyTLSCert], data[KeyTLSKey] = c.CertFile, c.KeyFile
	}
	if len(c.CA) > 0 {
		if err := checkCA(c.CA); err != nil {
			return nil, errors.New("--ca-file holds no PEM certificate: pass the CA certificate of the chart repository")
		}
		data[KeyCA] = c.CA
	}
	return newSecret(HelmSecretName(o.Name), o.Namespace, data), nil
}
