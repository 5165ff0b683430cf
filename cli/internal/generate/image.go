package generate

import (
	"fmt"
	"regexp"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/google/go-containerregistry/pkg/name"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// ImageRepositoryOptions are the flags of `tide create image repository`.
type ImageRepositoryOptions struct {
	Name, Namespace string
	Image           string
	SecretRef       string
	CertSecretRef   string
	ScanTimeout     time.Duration
	Interval        time.Duration
}

// ImageRepository returns the ImageRepository the options describe, with
// the fields `flux create image repository` sets.
func ImageRepository(o ImageRepositoryOptions) (*imagev1.ImageRepository, error) {
	if o.Image == "" {
		return nil, fmt.Errorf("an image repository (--image) is required, e.g. --image=ghcr.io/org/app")
	}
	if _, err := name.NewRepository(o.Image); err != nil {
		return nil, fmt.Errorf("--image %q is not an image repository (give it without tag or digest, e.g. ghcr.io/org/app): %w", o.Image, err)
	}
	if o.Interval <= 0 {
		return nil, fmt.Errorf("--interval must be positive, e.g. --interval=5m")
	}
	repo := &imagev1.ImageRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: imagev1.GroupVersion.String(), Kind: imagev1.ImageRepositoryKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: imagev1.ImageRepositorySpec{
			Image:    o.Image,
			Interval: metav1.Duration{Duration: o.Interval},
		},
	}
	if o.ScanTimeout > 0 {
		repo.Spec.Timeout = &metav1.Duration{Duration: o.ScanTimeout}
	}
	if o.SecretRef != "" {
		repo.Spec.SecretRef = &meta.LocalObjectReference{Name: o.SecretRef}
	}
	if o.CertSecretRef != "" {
		repo.Spec.CertSecretRef = &meta.LocalObjectReference{Name: o.CertSecretRef}
	}
	return repo, nil
}

// ImagePolicyOptions are the flags of `tide create image policy`.
type ImagePolicyOptions struct {
	Name, Namespace string
	ImageRef        string
	SemVer          string
	Alpha           string
	Numeric         string
	FilterRegex     string
	FilterExtract   string
	// ReflectDigest is spec.digestReflectionPolicy; Interval (only with
	// Always, where it is required) how often the digest is read again.
	ReflectDigest string
	Interval      time.Duration
}

// ImagePolicy returns the ImagePolicy the options describe, as `flux
// create image policy` writes it: one of semver, alphabetical or numerical,
// and a tag filter.
func ImagePolicy(o ImagePolicyOptions) (*imagev1.ImagePolicy, error) {
	if o.ImageRef == "" {
		return nil, fmt.Errorf("the name of an ImageRepository in the namespace is required (--image-ref)")
	}
	p := &imagev1.ImagePolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: imagev1.GroupVersion.String(), Kind: imagev1.ImagePolicyKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: imagev1.ImagePolicySpec{
			ImageRepositoryRef: meta.NamespacedObjectReference{Name: o.ImageRef},
		},
	}
	chosen := 0
	for _, v := range []string{o.SemVer, o.Alpha, o.Numeric} {
		if v != "" {
			chosen++
		}
	}
	if chosen > 1 {
		return nil, fmt.Errorf("only one of --select-semver, --select-alpha or --select-numeric can be specified")
	}
	switch {
	case o.SemVer != "":
		p.Spec.Policy.SemVer = &imagev1.SemVerPolicy{Range: o.SemVer}
	case o.Alpha != "":
		if err := checkOrder("--select-alpha", o.Alpha); err != nil {
			return nil, err
		}
		p.Spec.Policy.Alphabetical = &imagev1.AlphabeticalPolicy{Order: o.Alpha}
	case o.Numeric != "":
		if err := checkOrder("--select-numeric", o.Numeric); err != nil {
			return nil, err
		}
		p.Spec.Policy.Numerical = &imagev1.NumericalPolicy{Order: o.Numeric}
	default:
		return nil, fmt.Errorf("a policy must be provided with either --select-semver, --select-alpha or --select-numeric")
	}
	filter, err := tagFilter(o.FilterRegex, o.FilterExtract)
	if err != nil {
		return nil, err
	}
	p.Spec.FilterTags = filter
	if err := digestReflection(&p.Spec, o.ReflectDigest, o.Interval); err != nil {
		return nil, err
	}
	return p, nil
}

// digestReflection sets spec.digestReflectionPolicy and spec.interval,
// refusing what the ImagePolicy CRD's rules would: an interval without
// Always, or Always without an interval.
func digestReflection(spec *imagev1.ImagePolicySpec, policy string, interval time.Duration) error {
	switch imagev1.ReflectionPolicy(policy) {
	case "":
	case imagev1.ReflectNever, imagev1.ReflectIfNotPresent, imagev1.ReflectAlways:
		spec.DigestReflectionPolicy = imagev1.ReflectionPolicy(policy)
	default:
		return fmt.Errorf("--reflect-digest %q is unknown: use one of Never, IfNotPresent or Always", policy)
	}
	always := spec.DigestReflectionPolicy == imagev1.ReflectAlways
	switch {
	case interval < 0:
		return fmt.Errorf("--interval must be positive, e.g. --interval=10m")
	case interval > 0 && !always:
		return fmt.Errorf("--interval is only accepted with --reflect-digest=Always (how often the tag's digest is read again)")
	case interval == 0 && always:
		return fmt.Errorf("--reflect-digest=Always needs --interval, e.g. --interval=10m")
	case interval > 0:
		spec.Interval = &metav1.Duration{Duration: interval}
	}
	return nil
}

func checkOrder(flag, order string) error {
	if order != "asc" && order != "desc" {
		return fmt.Errorf("%s must be one of [\"asc\", \"desc\"]", flag)
	}
	return nil
}

// tagFilter is spec.filterTags: the pattern must compile (as the
// controller compiles it, Go's RE2 syntax) and every group the extract
// template names must be one of the pattern's.
func tagFilter(pattern, extract string) (*imagev1.TagFilter, error) {
	if pattern == "" {
		if extract != "" {
			return nil, fmt.Errorf("cannot specify --filter-extract without specifying --filter-regex")
		}
		return nil, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("--filter-regex is an invalid regex pattern: %w", err)
	}
	if err := checkExtract(extract, re); err != nil {
		return nil, err
	}
	return &imagev1.TagFilter{Pattern: pattern, Extract: extract}, nil
}

// extractRef is one $name, ${name} or $$ of a regexp.Expand template.
var extractRef = regexp.MustCompile(`\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))?`)

func checkExtract(template string, re *regexp.Regexp) error {
	for _, m := range extractRef.FindAllStringSubmatch(template, -1) {
		if m[1] == "$" {
			continue
		}
		group := m[2] + m[3]
		if group == "" {
			return fmt.Errorf("--filter-extract is malformed: a $ must be followed by a group name or number ($$ for a literal $)")
		}
		if n, ok := groupNumber(group); ok {
			if n > re.NumSubexp() {
				return fmt.Errorf("capture group $%s used in --filter-extract not found in --filter-regex (it has %d)", group, re.NumSubexp())
			}
			continue
		}
		if re.SubexpIndex(group) < 0 {
			return fmt.Errorf("capture group $%s used in --filter-extract not found in --filter-regex", group)
		}
	}
	return nil
}

// groupNumber reads a group number as regexp.Expand does (no leading zero).
func groupNumber(s string) (int, bool) {
	if len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n >= 1e8 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// ImageUpdateOptions are the flags of `tide create image update`.
type ImageUpdateOptions struct {
	Name, Namespace  string
	GitRepoRef       string
	GitRepoNamespace string
	GitRepoPath      string
	CheckoutBranch   string
	PushBranch       string
	CommitTemplate   string
	AuthorName       string
	AuthorEmail      string
	Interval         time.Duration
}

// ImageUpdateAutomation returns the ImageUpdateAutomation the options
// describe, as `flux create image update` writes it.
func ImageUpdateAutomation(o ImageUpdateOptions) (*imagev1.ImageUpdateAutomation, error) {
	for _, required := range []struct{ value, msg string }{
		{o.GitRepoRef, "a reference to a GitRepository is required (--git-repo-ref)"},
		{o.CheckoutBranch, "the Git repository branch is required (--checkout-branch)"},
		{o.AuthorName, "the author name is required (--author-name)"},
		{o.AuthorEmail, "the author email is required (--author-email)"},
	} {
		if required.value == "" {
			return nil, fmt.Errorf("%s", required.msg)
		}
	}
	if o.Interval <= 0 {
		return nil, fmt.Errorf("--interval must be positive, e.g. --interval=5m")
	}
	u := &imagev1.ImageUpdateAutomation{
		TypeMeta:   metav1.TypeMeta{APIVersion: imagev1.GroupVersion.String(), Kind: imagev1.ImageUpdateAutomationKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: imagev1.ImageUpdateAutomationSpec{
			SourceRef: imagev1.CrossNamespaceSourceReference{
				Kind: sourcev1.GitRepositoryKind, Name: o.GitRepoRef, Namespace: o.GitRepoNamespace,
			},
			GitSpec: &imagev1.GitSpec{
				Checkout: &imagev1.GitCheckoutSpec{Reference: sourcev1.GitRepositoryRef{Branch: o.CheckoutBranch}},
				Commit: imagev1.CommitSpec{
					Author:          imagev1.CommitUser{Name: o.AuthorName, Email: o.AuthorEmail},
					MessageTemplate: o.CommitTemplate,
				},
			},
			Interval: metav1.Duration{Duration: o.Interval},
		},
	}
	if o.PushBranch != "" {
		u.Spec.GitSpec.Push = &imagev1.PushSpec{Branch: o.PushBranch}
	}
	if o.GitRepoPath != "" {
		u.Spec.Update = &imagev1.UpdateStrategy{Path: o.GitRepoPath, Strategy: imagev1.UpdateStrategySetters}
	}
	return u, nil
}
