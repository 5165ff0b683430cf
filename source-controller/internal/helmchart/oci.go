package helmchart

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
)

// helmChartLayerMediaType is Helm's media type of the layer holding a
// chart stored as an OCI artifact.
const helmChartLayerMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

// ociRepository is a HelmRepository of type oci: charts are artifacts
// named <url>/<chart>, tagged with their version ('+' written '_', as Helm
// pushes them).
type ociRepository struct {
	base     string // registry host and path, without oci://
	insecure bool
	options  []remote.Option
}

// openOCI returns the registry of an oci:// URL with the credentials and
// TLS settings of repo (nil for an anonymous dependency).
func (r *Reconciler) openOCI(ctx context.Context, url string, repo *sourcev1.HelmRepository) (*ociRepository, error) {
	base := strings.TrimSuffix(strings.TrimPrefix(url, "oci://"), "/")
	if base == url || base == "" {
		return nil, fmt.Errorf("'%s' is not an oci:// URL", url)
	}
	o := &ociRepository{base: base, options: []remote.Option{remote.WithContext(ctx)}}
	if repo == nil {
		return o, nil
	}
	if p := repo.GetProvider(); p != sourcev1.HelmProviderGeneric {
		return nil, fmt.Errorf("HelmRepository '%s' has provider '%s': Tide does not log in with workload identity yet", repo.Name, p)
	}
	o.insecure = repo.Spec.Insecure
	if ref := repo.Spec.SecretRef; ref != nil {
		auth, err := r.registryAuth(ctx, repo.Namespace, ref.Name, base)
		if err != nil {
			return nil, err
		}
		o.options = append(o.options, remote.WithAuth(auth))
	}
	if ref := repo.Spec.CertSecretRef; ref != nil {
		tr, err := r.registryTLS(ctx, repo.Namespace, ref.Name)
		if err != nil {
			return nil, err
		}
		o.options = append(o.options, remote.WithTransport(tr))
	}
	return o, nil
}

func (o *ociRepository) repository(chart string) (name.Repository, error) {
	var opts []name.Option
	if o.insecure {
		opts = append(opts, name.Insecure)
	}
	return name.NewRepository(o.base+"/"+chart, opts...)
}

// Resolve picks the tag: an exact version is used as it is, a range
// is matched against the repository's tags (the newest match wins).
func (o *ociRepository) Resolve(_ context.Context, chart, versionRange string) (ChartVersion, error) {
	repo, err := o.repository(chart)
	if err != nil {
		return ChartVersion{}, fmt.Errorf("invalid chart reference '%s/%s': %w", o.base, chart, err)
	}
	if v, err := semver.StrictNewVersion(versionRange); err == nil {
		return ChartVersion{Name: chart, Version: v.String(), Ref: strings.ReplaceAll(v.String(), "+", "_")}, nil
	}
	constraint, err := semver.NewConstraint(versionRange)
	if err != nil {
		return ChartVersion{}, mark(ErrChartNotFound, fmt.Errorf("invalid version range '%s': %w: fix spec.version", versionRange, err))
	}
	tags, err := remote.List(repo, o.options...)
	if err != nil {
		if isUnauthorized(err) {
			return ChartVersion{}, mark(errAuth, fmt.Errorf("list the tags of '%s': %w: check the credentials of the HelmRepository's spec.secretRef", repo, err))
		}
		if isNotFound(err) {
			return ChartVersion{}, mark(ErrChartNotFound, fmt.Errorf("no chart '%s' in '%s': fix spec.chart, or push the chart there", chart, "oci://"+o.base))
		}
		return ChartVersion{}, fmt.Errorf("list the tags of '%s': %w", repo, err)
	}
	var matches []*semver.Version
	for _, tag := range tags {
		v, err := semver.NewVersion(strings.ReplaceAll(tag, "_", "+"))
		if err == nil && constraint.Check(v) {
			matches = append(matches, v)
		}
	}
	if len(matches) == 0 {
		return ChartVersion{}, mark(ErrChartNotFound, fmt.Errorf("no tag of '%s' matches version '%s': fix spec.version, or push a matching version", repo, versionRange))
	}
	sort.Sort(sort.Reverse(semver.Collection(matches)))
	v := matches[0]
	return ChartVersion{Name: chart, Version: v.String(), Ref: strings.ReplaceAll(v.Original(), "+", "_")}, nil
}

// Download pulls the chart layer of the tagged artifact.
func (o *ociRepository) Download(_ context.Context, cv ChartVersion, limit int64) ([]byte, error) {
	repo, err := o.repository(cv.Name)
	if err != nil {
		return nil, err
	}
	img, err := remote.Image(repo.Tag(cv.Ref), o.options...)
	if err != nil {
		if isUnauthorized(err) {
			return nil, mark(errAuth, fmt.Errorf("pull '%s:%s': %w: check the credentials of the HelmRepository's spec.secretRef", repo, cv.Ref, err))
		}
		if isNotFound(err) {
			return nil, mark(ErrChartNotFound, fmt.Errorf("no artifact '%s:%s': fix spec.chart or spec.version, or push the chart", repo, cv.Ref))
		}
		return nil, fmt.Errorf("pull '%s:%s': %w", repo, cv.Ref, err)
	}
	manifest, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("read the manifest of '%s:%s': %w", repo, cv.Ref, err)
	}
	for _, layer := range manifest.Layers {
		if string(layer.MediaType) != helmChartLayerMediaType {
			continue
		}
		if limit > 0 && layer.Size > limit {
			return nil, mark(chartbuild.ErrTooLarge, fmt.Errorf(
				"the chart layer of '%s:%s' is %d bytes, over the %d bytes --helm-chart-max-size allows", repo, cv.Ref, layer.Size, limit))
		}
		l, err := img.LayerByDigest(layer.Digest)
		if err != nil {
			return nil, err
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, fmt.Errorf("pull the chart layer of '%s:%s': %w", repo, cv.Ref, err)
		}
		defer rc.Close()
		return chartbuild.ReadLimited(rc, limit)
	}
	return nil, fmt.Errorf("'%s:%s' is not a Helm chart: no layer of media type %s", repo, cv.Ref, helmChartLayerMediaType)
}

func isNotFound(err error) bool {
	var terr *transport.Error
	if errors.As(err, &terr) {
		if terr.StatusCode == http.StatusNotFound {
			return true
		}
		for _, d := range terr.Errors {
			if d.Code == transport.NameUnknownErrorCode || d.Code == transport.ManifestUnknownErrorCode {
				return true
			}
		}
	}
	return false
}

func isUnauthorized(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) &&
		(terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden)
}

// registryAuth reads the Secret of a HelmRepository of type oci: a docker
// config (.dockerconfigjson, the entry of the registry's host) or
// username and password.
func (r *Reconciler) registryAuth(ctx context.Context, ns, secret, base string) (authn.Authenticator, error) {
	s, err := r.readSecret(ctx, ns, secret)
	if err != nil {
		return nil, err
	}
	if cfg, ok := s.Data[corev1.DockerConfigJsonKey]; ok {
		host := strings.SplitN(base, "/", 2)[0]
		return dockerConfigAuth(cfg, host, secret)
	}
	user, pass := string(s.Data["username"]), string(s.Data["password"])
	if user == "" || pass == "" {
		return nil, mark(errAuth, fmt.Errorf("Secret '%s' has neither %s nor both 'username' and 'password': fix the Secret",
			secret, corev1.DockerConfigJsonKey))
	}
	return &authn.Basic{Username: user, Password: pass}, nil
}

func dockerConfigAuth(data []byte, host, secret string) (authn.Authenticator, error) {
	var cfg struct {
		Auths map[string]struct {
			Auth     string `json:"auth"`
			Username string `json:"username"`
			Password string `json:"password"`
		} `json:"auths"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, mark(errAuth, fmt.Errorf("Secret '%s': %s is not a docker config JSON: fix the Secret", secret, corev1.DockerConfigJsonKey))
	}
	for server, entry := range cfg.Auths {
		h := strings.TrimPrefix(strings.TrimPrefix(server, "https://"), "http://")
		if strings.SplitN(h, "/", 2)[0] != host {
			continue
		}
		if entry.Auth != "" {
			raw, err := base64.StdEncoding.DecodeString(entry.Auth)
			user, pass, ok := strings.Cut(string(raw), ":")
			if err != nil || !ok {
				return nil, mark(errAuth, fmt.Errorf("Secret '%s': the auth of '%s' is not base64 of user:password: fix the Secret", secret, server))
			}
			return &authn.Basic{Username: user, Password: pass}, nil
		}
		return &authn.Basic{Username: entry.Username, Password: entry.Password}, nil
	}
	return nil, mark(errAuth, fmt.Errorf("Secret '%s' has no credentials for registry '%s': add them to the Secret", secret, host))
}

func (r *Reconciler) readSecret(ctx context.Context, ns, name string) (*corev1.Secret, error) {
	var s corev1.Secret
	err := r.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &s)
	if apierrors.IsNotFound(err) {
		return nil, mark(errAuth, fmt.Errorf("Secret '%s' not found: create it, or fix the HelmRepository's reference", name))
	}
	if err != nil {
		return nil, fmt.Errorf("read Secret '%s': %w", name, err)
	}
	return &s, nil
}

// registryTLS builds a transport trusting the CA (ca.crt) and presenting
// the client certificate (tls.crt, tls.key) of a certSecretRef.
func (r *Reconciler) registryTLS(ctx context.Context, ns, secret string) (http.RoundTripper, error) {
	s, err := r.readSecret(ctx, ns, secret)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca := s.Data["ca.crt"]; len(ca) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, mark(errAuth, fmt.Errorf("Secret '%s': ca.crt holds no PEM certificate: fix the Secret", secret))
		}
		cfg.RootCAs = pool
	}
	if crt, key := s.Data["tls.crt"], s.Data["tls.key"]; len(crt) > 0 || len(key) > 0 {
		pair, err := tls.X509KeyPair(crt, key)
		if err != nil {
			return nil, mark(errAuth, fmt.Errorf("Secret '%s': tls.crt and tls.key are not a key pair: fix the Secret", secret))
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	tr := remote.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return tr, nil
}
