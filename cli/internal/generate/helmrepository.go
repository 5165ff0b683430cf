package generate

import (
	"fmt"
	"net/url"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// HelmRepositoryOptions are the flags of `tide create source helm`.
type HelmRepositoryOptions struct {
	Name, Namespace string
	// URL is the index's http(s):// address, or oci://registry/path for a
	// repository of type oci.
	URL             string
	SecretRef       string
	PassCredentials bool
	// OCIProvider is spec.provider of a repository of type oci.
	OCIProvider string
	Interval    time.Duration
	// Credentials, when given, go into a Secret (HelmRepositorySecret)
	// that spec.secretRef names, as `flux create source helm` does.
	Credentials HelmCredentials
}

// HelmRepository returns the HelmRepository the options describe. As
// `flux create source helm` does, an oci:// URL makes it of type oci.
func HelmRepository(o HelmRepositoryOptions) (*sourcev1.HelmRepository, error) {
	u, err := url.Parse(o.URL)
	if err != nil || o.URL == "" || u.Host == "" {
		return nil, fmt.Errorf("--url %q is not a Helm repository URL: use https://host/path (the folder of index.yaml) or oci://registry/path", o.URL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("--url must not contain credentials: put them in a Secret and pass --secret-ref")
	}
	repo := &sourcev1.HelmRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.HelmRepositoryKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec:       sourcev1.HelmRepositorySpec{URL: o.URL},
	}
	switch u.Scheme {
	case "http", "https":
		if o.OCIProvider != "" {
			return nil, fmt.Errorf("--oci-provider is for oci:// URLs only")
		}
	case sourcev1.HelmRepositoryTypeOCI:
		repo.Spec.Type = sourcev1.HelmRepositoryTypeOCI
		switch o.OCIProvider {
		case "", sourcev1.HelmProviderGeneric:
			repo.Spec.Provider = o.OCIProvider
		case sourcev1.HelmProviderAWS, sourcev1.HelmProviderAzure, sourcev1.HelmProviderGCP:
			return nil, fmt.Errorf("--oci-provider %s is not supported by Tide yet: use generic, with a docker config Secret in --secret-ref", o.OCIProvider)
		default:
			return nil, fmt.Errorf("--oci-provider %q is unknown: use generic", o.OCIProvider)
		}
	default:
		return nil, fmt.Errorf("--url scheme %q is not supported: use https, http or oci", u.Scheme)
	}
	if o.Interval <= 0 {
		return nil, fmt.Errorf("--interval must be positive, e.g. --interval=10m")
	}
	repo.Spec.Interval = metav1.Duration{Duration: o.Interval}
	secret := o.SecretRef
	if !o.Credentials.empty() {
		secret = HelmSecretName(o.Name)
	}
	if o.PassCredentials && secret == "" {
		return nil, fmt.Errorf("--pass-credentials passes the credentials of --secret-ref: pass --secret-ref (or --username and --password) too")
	}
	if secret != "" {
		repo.Spec.SecretRef = &meta.LocalObjectReference{Name: secret}
		repo.Spec.PassCredentials = o.PassCredentials
	}
	return repo, nil
}
