package generate

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// OCIRepositoryOptions are the flags of `tide create source oci`.
type OCIRepositoryOptions struct {
	Name, Namespace string
	URL             string
	Tag             string
	SemVer          string
	Digest          string
	SecretRef       string
	CertSecretRef   string
	Provider        string
	IgnorePaths     []string
	Insecure        bool
	Interval        time.Duration
}

// OCIRepository returns the OCIRepository the options describe. When more
// than one of tag, semver and digest is given, the controller takes the
// digest first, then the semver range, as Flux's does.
func OCIRepository(o OCIRepositoryOptions) (*sourcev1.OCIRepository, error) {
	u, err := url.Parse(o.URL)
	if err != nil || !strings.HasPrefix(o.URL, sourcev1.OCIRepositoryPrefix) || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return nil, fmt.Errorf("--url %q is not an OCI repository: use oci://registry/path/name (without a tag: pass --tag)", o.URL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("--url must not contain credentials: put them in a docker config Secret and pass --secret-ref")
	}
	if o.Tag == "" && o.SemVer == "" && o.Digest == "" {
		return nil, fmt.Errorf("say which artifact: pass --tag, --tag-semver or --digest (e.g. --tag=latest)")
	}
	if o.Digest != "" && !strings.HasPrefix(o.Digest, "sha256:") {
		return nil, fmt.Errorf("--digest %q: use the artifact's sha256:<hex> digest", o.Digest)
	}
	switch o.Provider {
	case "", sourcev1.GenericOCIProvider:
	case sourcev1.AmazonOCIProvider, sourcev1.AzureOCIProvider, sourcev1.GoogleOCIProvider:
		return nil, fmt.Errorf("--provider %s is not supported by Tide yet: use generic, with a docker config Secret in --secret-ref", o.Provider)
	default:
		return nil, fmt.Errorf("--provider %q is unknown: use generic", o.Provider)
	}
	if o.Interval <= 0 {
		return nil, fmt.Errorf("--interval must be positive, e.g. --interval=10m")
	}
	repo := &sourcev1.OCIRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.OCIRepositoryKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: sourcev1.OCIRepositorySpec{
			URL:       o.URL,
			Reference: &sourcev1.OCIRepositoryRef{Tag: o.Tag, SemVer: o.SemVer, Digest: o.Digest},
			Provider:  sourcev1.GenericOCIProvider, // as flux create writes it
			Insecure:  o.Insecure,
			Interval:  &metav1.Duration{Duration: o.Interval},
		},
	}
	if len(o.IgnorePaths) > 0 {
		ignore := strings.Join(o.IgnorePaths, "\n")
		repo.Spec.Ignore = &ignore
	}
	if o.SecretRef != "" {
		repo.Spec.SecretRef = &meta.LocalObjectReference{Name: o.SecretRef}
	}
	if o.CertSecretRef != "" {
		repo.Spec.CertSecretRef = &meta.LocalObjectReference{Name: o.CertSecretRef}
	}
	return repo, nil
}
