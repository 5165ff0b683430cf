package generate

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Keys of a GitHub App Secret (a GitRepository with provider: github), as
// the source-controller reads them.
const (
	KeyGitHubAppID                = "githubAppID"
	KeyGitHubAppInstallationID    = "githubAppInstallationID"
	KeyGitHubAppInstallationOwner = "githubAppInstallationOwner"
	KeyGitHubAppPrivateKey        = "githubAppPrivateKey"
	KeyGitHubAppBaseURL           = "githubAppBaseURL"
)

// GitHubAppSecretOptions are the flags of `tide create secret githubapp`;
// file flags are passed as the files' contents.
type GitHubAppSecretOptions struct {
	Name, Namespace string
	AppID           string
	// The installation: by its ID, or by the organization or user it is
	// on (the controller looks its ID up); exactly one, as in Flux.
	InstallationID    string
	InstallationOwner string
	PrivateKey        []byte
	BaseURL           string
	CA                []byte
}

// GitHubAppSecret returns the Secret the options describe. Errors never
// contain the private key.
func GitHubAppSecret(o GitHubAppSecretOptions) (*corev1.Secret, error) {
	if strings.TrimSpace(o.AppID) == "" {
		return nil, errors.New("--app-id is empty: pass the App's ID from its settings page")
	}
	installationKey, installation, err := installationOf(o)
	if err != nil {
		return nil, err
	}
	if !isRSAKey(o.PrivateKey) {
		return nil, errors.New("--app-private-key is not an RSA private key in PEM: pass the .pem file GitHub generated for the App")
	}
	data := map[string][]byte{
		KeyGitHubAppID:         []byte(strings.TrimSpace(o.AppID)),
		KeyGitHubAppPrivateKey: o.PrivateKey,
		installationKey:        []byte(installation),
	}
	if o.BaseURL != "" {
		// https only: the App's token is sent there (the controller allows
		// plain http to this machine alone, for tests).
		if u, err := url.Parse(o.BaseURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("--app-base-url %q is not an https URL: GitHub Enterprise Server's API is https://HOSTNAME/api/v3", o.BaseURL)
		}
		data[KeyGitHubAppBaseURL] = []byte(o.BaseURL)
	}
	if len(o.CA) > 0 {
		if err := checkCA(o.CA); err != nil {
			return nil, err
		}
		data[KeyCA] = o.CA
	}
	return newSecret(o.Name, o.Namespace, data), nil
}

// installationOf returns the Secret's key and value that name the App's
// installation: its ID, or its owner's login. The source-controller refuses
// a Secret with both or neither, as Flux's does, so they are refused here
// first.
func installationOf(o GitHubAppSecretOptions) (key, value string, err error) {
	switch {
	case o.InstallationID != "" && o.InstallationOwner != "":
		return "", "", errors.New("pass either --app-installation-id or --app-installation-owner, not both")
	case o.InstallationOwner != "":
		// What the source-controller refuses as a login, as it cannot be
		// one and would change the API path it is looked up at.
		if strings.ContainsAny(o.InstallationOwner, " /?#%\\") || o.InstallationOwner == "." || o.InstallationOwner == ".." {
			return "", "", fmt.Errorf("--app-installation-owner %q is not a GitHub login: pass the organization or user the App is installed on, as in github.com/OWNER", o.InstallationOwner)
		}
		return KeyGitHubAppInstallationOwner, o.InstallationOwner, nil
	case o.InstallationID == "":
		return "", "", errors.New("the App's installation is not named: pass --app-installation-id (the number at the end of the installation's settings URL) " +
			"or --app-installation-owner (the organization or user the App is installed on)")
	case strings.Trim(o.InstallationID, "0123456789") != "":
		return "", "", errors.New("--app-installation-id must be a number: the ID at the end of the installation's settings URL")
	}
	return KeyGitHubAppInstallationID, o.InstallationID, nil
}

// isRSAKey reports whether pemData is an RSA private key, in the PKCS#1
// form GitHub hands out or as PKCS#8.
func isRSAKey(pemData []byte) bool {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return false
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return true
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	_, ok := key.(*rsa.PrivateKey)
	return err == nil && ok
}
