package v1

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// GitRepositoryKind is the kind name of a GitRepository.
	GitRepositoryKind = "GitRepository"

	// Authentication providers accepted in spec.provider.
	GitProviderGeneric = "generic"
	GitProviderAzure   = "azure"
	GitProviderGitHub  = "github"
	GitProviderAWS     = "aws"
)

// GitVerificationMode names which Git objects must carry a trusted signature.
type GitVerificationMode string

const (
	// ModeGitHEAD verifies the commit that was checked out.
	ModeGitHEAD GitVerificationMode = "HEAD"
	// ModeGitTag verifies the annotated tag named in spec.ref.
	ModeGitTag GitVerificationMode = "Tag"
	// ModeGitTagAndHEAD verifies both the tag and the commit it points to.
	ModeGitTagAndHEAD GitVerificationMode = "TagAndHEAD"
)

// Valid reports whether m is one of the canonical modes.
func (m GitVerificationMode) Valid() bool {
	return m == ModeGitHEAD || m == ModeGitTag || m == ModeGitTagAndHEAD
}

// GitRepositorySpec is what the user asks for: which repository, which ref,
// how to authenticate, and what goes into the artifact.
// +kubebuilder:validation:XValidation:rule="!has(self.serviceAccountName) || (has(self.provider) && (self.provider == 'azure' || self.provider == 'aws'))",message="serviceAccountName can only be set when provider is 'azure' or 'aws'"
type GitRepositorySpec struct {
	// URL of the repository, over HTTP(S) or SSH.
	// +kubebuilder:validation:Pattern="^(http|https|ssh)://.*$"
	// +required
	URL string `json:"url"`

	// SecretRef names a Secret in the same namespace with the credentials:
	// 'username' and 'password' or 'bearerToken' for HTTPS, 'identity' and
	// 'known_hosts' for SSH; optionally 'ca.crt', 'tls.crt' and 'tls.key'.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// Provider selects how to authenticate: 'generic' (the default, using
	// secretRef), 'aws', 'azure' or 'github'.
	// +kubebuilder:validation:Enum=generic;aws;azure;github
	// +optional
	Provider string `json:"provider,omitempty"`

	// ServiceAccountName is the Kubernetes ServiceAccount whose identity is
	// used with the 'azure' and 'aws' providers.
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// Interval between checks of the remote for a new revision.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +required
	Interval metav1.Duration `json:"interval"`

	// Timeout of each Git operation.
	// +kubebuilder:default="60s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Reference is the Git ref to follow; the 'master' branch when unset.
	// +optional
	Reference *GitRepositoryRef `json:"ref,omitempty"`

	// Verification asks for the commit and/or tag signature to be checked.
	// +optional
	Verification *GitRepositoryVerification `json:"verify,omitempty"`

	// ProxySecretRef names a Secret with 'address', and optionally
	// 'username' and 'password', of a proxy to reach the Git server through.
	// +optional
	ProxySecretRef *meta.LocalObjectReference `json:"proxySecretRef,omitempty"`

	// Ignore replaces the default exclusions with these patterns, written
	// in .gitignore syntax.
	// +optional
	Ignore *string `json:"ignore,omitempty"`

	// Suspend stops reconciliation until it is set back to false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// RecurseSubmodules also checks out every submodule.
	// +optional
	RecurseSubmodules bool `json:"recurseSubmodules,omitempty"`

	// Include copies the artifacts of other GitRepositories into this one.
	// +optional
	Include []GitRepositoryInclude `json:"include,omitempty"`

	// SparseCheckout limits the checkout, and so the artifact, to these
	// directories.
	// +optional
	SparseCheckout []string `json:"sparseCheckout,omitempty"`
}

// GitRepositoryInclude places another GitRepository's artifact, or a part of
// it, inside this one's.
type GitRepositoryInclude struct {
	// GitRepositoryRef names the GitRepository, in the same namespace.
	// +required
	GitRepositoryRef meta.LocalObjectReference `json:"repository"`

	// FromPath is the folder of the included artifact to copy; its root
	// when unset.
	// +optional
	FromPath string `json:"fromPath,omitempty"`

	// ToPath is where the copy lands; the included repository's name when
	// unset.
	// +optional
	ToPath string `json:"toPath,omitempty"`
}

// GetFromPath returns the folder to copy from.
func (in *GitRepositoryInclude) GetFromPath() string {
	return in.FromPath
}

// GetToPath returns the folder to copy to, defaulting to the repository name.
func (in *GitRepositoryInclude) GetToPath() string {
	if in.ToPath == "" {
		return in.GitRepositoryRef.Name
	}
	return in.ToPath
}

// GitRepositoryRef selects what to check out. When several fields are set,
// commit wins over name, name over semver, semver over tag, tag over branch.
type GitRepositoryRef struct {
	// Branch to follow; 'master' when no other field is set.
	// +optional
	Branch string `json:"branch,omitempty"`

	// Tag to check out.
	// +optional
	Tag string `json:"tag,omitempty"`

	// SemVer is a range; the highest tag inside it is checked out.
	// +optional
	SemVer string `json:"semver,omitempty"`

	// Name is a full Git reference such as 'refs/heads/main' or
	// 'refs/pull/1/head'.
	// +optional
	Name string `json:"name,omitempty"`

	// Commit is a SHA to check out; with Branch, the branch is cloned
	// shallowly and must contain the commit.
	// +optional
	Commit string `json:"commit,omitempty"`
}

// GitRepositoryVerification says which signatures to check and with which
// trusted keys.
type GitRepositoryVerification struct {
	// Mode selects the objects to verify. 'head' is accepted as an alias of
	// 'HEAD' for older manifests.
	// +kubebuilder:validation:Enum=head;HEAD;Tag;TagAndHEAD
	// +kubebuilder:default:=HEAD
	// +optional
	Mode GitVerificationMode `json:"mode,omitempty"`

	// SecretRef names a Secret holding trusted public keys: PGP keys under
	// '*.asc' keys and SSH keys under '*.sshpub' keys.
	// +required
	SecretRef meta.LocalObjectReference `json:"secretRef"`
}

// GetMode returns the mode, treating anything non-canonical (such as 'head')
// as HEAD.
func (in *GitRepositoryVerification) GetMode() GitVerificationMode {
	if in.Mode.Valid() {
		return in.Mode
	}
	return ModeGitHEAD
}

// VerifyHEAD reports whether the checked-out commit must be verified.
func (in *GitRepositoryVerification) VerifyHEAD() bool {
	return in.GetMode() == ModeGitHEAD || in.GetMode() == ModeGitTagAndHEAD
}

// VerifyTag reports whether the tag must be verified.
func (in *GitRepositoryVerification) VerifyTag() bool {
	return in.GetMode() == ModeGitTag || in.GetMode() == ModeGitTagAndHEAD
}

// GitRepositoryStatus is what the controller observed and produced.
type GitRepositoryStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions of the object (Ready, Reconciling, Stalled, ...).
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Artifact is the last artifact produced and served.
	// +optional
	Artifact *meta.Artifact `json:"artifact,omitempty"`

	// IncludedArtifacts are the artifacts of spec.include used to build Artifact.
	// +optional
	IncludedArtifacts []*meta.Artifact `json:"includedArtifacts,omitempty"`

	// ObservedIgnore is the spec.ignore that Artifact was built with.
	// +optional
	ObservedIgnore *string `json:"observedIgnore,omitempty"`

	// ObservedRecurseSubmodules is the spec.recurseSubmodules that Artifact
	// was built with.
	// +optional
	ObservedRecurseSubmodules bool `json:"observedRecurseSubmodules,omitempty"`

	// ObservedInclude is the spec.include that Artifact was built with.
	// +optional
	ObservedInclude []GitRepositoryInclude `json:"observedInclude,omitempty"`

	// ObservedSparseCheckout is the spec.sparseCheckout that Artifact was
	// built with.
	// +optional
	ObservedSparseCheckout []string `json:"observedSparseCheckout,omitempty"`

	// SourceVerificationFingerprint identifies the trusted public keys that
	// verified Artifact. It is computed from the key material alone, so a
	// key rotation changes it and the same revision is verified again.
	// +optional
	SourceVerificationFingerprint string `json:"sourceVerificationFingerprint,omitempty"`

	// SourceVerificationMode is the verification mode last applied.
	// +optional
	SourceVerificationMode *GitVerificationMode `json:"sourceVerificationMode,omitempty"`

	meta.ReconcileRequestStatus `json:",inline"`
}

// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=gitrepo,categories=all;fluxcd;fluxcd-sources
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// GitRepository turns a Git ref into a tarball artifact served over HTTP.
type GitRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec GitRepositorySpec `json:"spec,omitempty"`
	// +kubebuilder:default={"observedGeneration":-1}
	Status GitRepositoryStatus `json:"status,omitempty"`
}

// GitRepositoryList is a list of GitRepositories.
// +kubebuilder:object:root=true
type GitRepositoryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []GitRepository `json:"items"`
}

// GetConditions returns the status conditions.
func (in *GitRepository) GetConditions() []metav1.Condition {
	return in.Status.Conditions
}

// SetConditions replaces the status conditions.
func (in *GitRepository) SetConditions(conditions []metav1.Condition) {
	in.Status.Conditions = conditions
}

// GetRequeueAfter returns how long to wait before the next check.
func (in *GitRepository) GetRequeueAfter() time.Duration {
	return in.Spec.Interval.Duration
}

// GetArtifact returns the stored artifact, or nil.
func (in *GitRepository) GetArtifact() *meta.Artifact {
	return in.Status.Artifact
}

// GetProvider returns the authentication provider, defaulting to generic.
func (in *GitRepository) GetProvider() string {
	if in.Spec.Provider == "" {
		return GitProviderGeneric
	}
	return in.Spec.Provider
}

// GetTimeout returns the Git operation timeout, 60s when unset.
func (in *GitRepository) GetTimeout() time.Duration {
	if in.Spec.Timeout != nil {
		return in.Spec.Timeout.Duration
	}
	return 60 * time.Second
}
