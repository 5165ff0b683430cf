package generate

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// GitRepositoryOptions are the flags of `tide create source git`.
type GitRepositoryOptions struct {
	Name, Namespace string
	URL             string
	Branch          string
	Tag             string
	SemVer          string
	Commit          string
	SecretRef       string
	// Provider is spec.provider: "" or "generic" (credentials in the
	// Secret), or "github" (a GitHub App's, see GitHubAppSecret).
	Provider string
	Interval time.Duration
}

// GitRepository returns the GitRepository the options describe.
func GitRepository(o GitRepositoryOptions) (*sourcev1.GitRepository, error) {
	u, err := url.Parse(o.URL)
	if err != nil || o.URL == "" || u.Host == "" {
		return nil, fmt.Errorf("--url %q is not a Git URL: use https://host/org/repo or ssh://git@host/org/repo", o.URL)
	}
	switch u.Scheme {
	case "http", "https":
	case "ssh":
		if o.SecretRef == "" {
			return nil, fmt.Errorf("an ssh URL needs a Secret with a key and known hosts: create one with 'tide create secret git %s-auth --url=%s' and pass --secret-ref=%s-auth", o.Name, o.URL, o.Name)
		}
	default:
		return nil, fmt.Errorf("--url scheme %q is not supported: use http, https or ssh", u.Scheme)
	}
	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword {
			return nil, fmt.Errorf("--url must not contain a password: put credentials in a Secret with 'tide create secret git' and pass --secret-ref")
		}
	}
	if err := checkProvider(o, u); err != nil {
		return nil, err
	}
	ref, err := gitRef(o)
	if err != nil {
		return nil, err
	}
	if o.Interval <= 0 {
		return nil, fmt.Errorf("--interval must be positive, e.g. --interval=1m")
	}
	repo := &sourcev1.GitRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.GitRepositoryKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: sourcev1.GitRepositorySpec{
			URL:       o.URL,
			Interval:  metav1.Duration{Duration: o.Interval},
			Reference: ref,
		},
	}
	if o.SecretRef != "" {
		repo.Spec.SecretRef = &meta.LocalObjectReference{Name: o.SecretRef}
	}
	if o.Provider == sourcev1.GitProviderGitHub {
		repo.Spec.Provider = o.Provider
	}
	return repo, nil
}

// checkProvider accepts the providers the source-controller supports, and
// what each needs.
func checkProvider(o GitRepositoryOptions, u *url.URL) error {
	switch o.Provider {
	case "", sourcev1.GitProviderGeneric:
		return nil
	case sourcev1.GitProviderGitHub:
		if u.Scheme == "ssh" {
			return errors.New("--provider=github authenticates over HTTPS: use the repository's https:// URL")
		}
		if o.SecretRef == "" {
			return fmt.Errorf("--provider=github needs a Secret with the App's credentials: create one with 'tide create secret githubapp %s-auth --app-id=ID --app-installation-id=ID --app-private-key=app.pem' and pass --secret-ref=%s-auth", o.Name, o.Name)
		}
		return nil
	default:
		return fmt.Errorf("--provider %q is not supported: use generic (credentials in --secret-ref) or github (a GitHub App)", o.Provider)
	}
}

func gitRef(o GitRepositoryOptions) (*sourcev1.GitRepositoryRef, error) {
	set := 0
	for _, v := range []string{o.Branch, o.Tag, o.SemVer, o.Commit} {
		if v != "" {
			set++
		}
	}
	switch {
	case set == 0:
		return nil, fmt.Errorf("say what to check out: pass one of --branch, --tag, --tag-semver or --commit (e.g. --branch=main)")
	case set > 1 && !(set == 2 && o.Commit != "" && o.Branch != ""):
		return nil, fmt.Errorf("pass only one of --branch, --tag, --tag-semver and --commit (--commit may be combined with --branch)")
	}
	return &sourcev1.GitRepositoryRef{Branch: o.Branch, Tag: o.Tag, SemVer: o.SemVer, Commit: o.Commit}, nil
}
