package v1

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ImagePolicyKind is the kind of ImagePolicy.
const ImagePolicyKind string = "ImagePolicy"

// DefaultDigestInterval is how often the digest of the chosen tag is read
// again under digestReflectionPolicy Always when spec.interval is unset.
const DefaultDigestInterval = 10 * time.Minute

// The values of an alphabetical or numerical policy's order.
const (
	OrderAsc  string = "asc"
	OrderDesc string = "desc"
)

// ImagePolicySpec says how to choose the latest image among the tags of an
// ImageRepository.
// +kubebuilder:validation:XValidation:rule="!has(self.interval) || (has(self.digestReflectionPolicy) && self.digestReflectionPolicy == 'Always')", message="spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'"
// +kubebuilder:validation:XValidation:rule="has(self.interval) || !has(self.digestReflectionPolicy) || self.digestReflectionPolicy != 'Always'", message="spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'"
type ImagePolicySpec struct {
	// ImageRepositoryRef names the ImageRepository whose tags are chosen
	// from; one in another namespace must admit this policy's namespace in
	// its spec.accessFrom.
	// +required
	ImageRepositoryRef meta.NamespacedObjectReference `json:"imageRepositoryRef"`

	// Policy is the ordering the latest tag is chosen by.
	// +required
	Policy ImagePolicyChoice `json:"policy"`

	// FilterTags narrows the tags before they are ordered; all tags are
	// ordered when it is unset.
	// +optional
	FilterTags *TagFilter `json:"filterTags,omitempty"`

	// DigestReflectionPolicy says when status.latestRef.digest is set:
	// Never (left empty), IfNotPresent (read once for a newly chosen tag)
	// or Always (read again every spec.interval, so a moved tag is seen).
	// +kubebuilder:default:=Never
	DigestReflectionPolicy ReflectionPolicy `json:"digestReflectionPolicy,omitempty"`

	// Interval between reads of the chosen tag's digest; only with
	// digestReflectionPolicy Always, where it is required.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// Suspend stops further reconciliations of this policy.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ReflectionPolicy says when a value read from the registry is written
// into the object.
// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
type ReflectionPolicy string

// The values of spec.digestReflectionPolicy.
const (
	// ReflectAlways reads the value every time, replacing the one held.
	ReflectAlways ReflectionPolicy = "Always"
	// ReflectIfNotPresent reads the value only while none is held.
	ReflectIfNotPresent ReflectionPolicy = "IfNotPresent"
	// ReflectNever never reads it.
	ReflectNever ReflectionPolicy = "Never"
)

// ImagePolicyChoice holds one of the orderings.
type ImagePolicyChoice struct {
	// SemVer chooses the highest tag that is a version inside a range.
	// +optional
	SemVer *SemVerPolicy `json:"semver,omitempty"`

	// Alphabetical chooses by the tags' alphabetical order.
	// +optional
	Alphabetical *AlphabeticalPolicy `json:"alphabetical,omitempty"`

	// Numerical chooses by the tags' value as numbers.
	// +optional
	Numerical *NumericalPolicy `json:"numerical,omitempty"`
}

// SemVerPolicy chooses the highest version within a range.
type SemVerPolicy struct {
	// Range is a semantic version range, e.g. '>=1.0.0 <2.0.0' or '1.x'.
	// +required
	Range string `json:"range"`
}

// AlphabeticalPolicy orders tags as strings.
type AlphabeticalPolicy struct {
	// Order is asc (the last in alphabetical order wins: z over a) or desc
	// (the first wins).
	// +kubebuilder:default:="asc"
	// +kubebuilder:validation:Enum=asc;desc
	// +optional
	Order string `json:"order,omitempty"`
}

// NumericalPolicy orders tags as numbers.
type NumericalPolicy struct {
	// Order is asc (the largest number wins) or desc (the smallest wins).
	// +kubebuilder:default:="asc"
	// +kubebuilder:validation:Enum=asc;desc
	// +optional
	Order string `json:"order,omitempty"`
}

// TagFilter keeps the tags matching a regular expression, optionally
// ordering them by a part of the match.
type TagFilter struct {
	// Pattern is a regular expression a tag must match to be considered.
	// +optional
	Pattern string `json:"pattern"`

	// Extract is a template over the pattern's groups ('$ts', '${1}') whose
	// result is ordered instead of the whole tag.
	// +optional
	Extract string `json:"extract"`
}

// ImagePolicyStatus is what the controller last observed.
type ImagePolicyStatus struct {
	// LatestRef is the image the policy chose last.
	LatestRef *ImageRef `json:"latestRef,omitempty"`

	// ObservedPreviousRef is the image chosen before LatestRef, so a change
	// can be told from a first choice.
	// +optional
	ObservedPreviousRef *ImageRef `json:"observedPreviousRef,omitempty"`

	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	meta.ReconcileRequestStatus `json:",inline"`
}

// +kubebuilder:storageversion
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=imgpol;imagepol,categories=all;fluxcd;fluxcd-images
// +kubebuilder:printcolumn:name="Image",type=string,JSONPath=`.status.latestRef.name`
// +kubebuilder:printcolumn:name="Tag",type=string,JSONPath=`.status.latestRef.tag`
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// ImagePolicy chooses the latest image among the tags an ImageRepository
// found.
type ImagePolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ImagePolicySpec `json:"spec,omitempty"`
	// +kubebuilder:default={"observedGeneration":-1}
	Status ImagePolicyStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ImagePolicyList is a list of ImagePolicies.
type ImagePolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ImagePolicy `json:"items"`
}

// GetDigestReflectionPolicy is spec.digestReflectionPolicy, Never when
// unset.
func (in *ImagePolicy) GetDigestReflectionPolicy() ReflectionPolicy {
	if in.Spec.DigestReflectionPolicy == "" {
		return ReflectNever
	}
	return in.Spec.DigestReflectionPolicy
}

// GetInterval is how often the policy is reconciled on its own: only under
// digestReflectionPolicy Always (spec.interval, 10m when unset), else never,
// as a policy otherwise changes only when its ImageRepository does.
func (in *ImagePolicy) GetInterval() time.Duration {
	if in.GetDigestReflectionPolicy() != ReflectAlways {
		return 0
	}
	if in.Spec.Interval == nil || in.Spec.Interval.Duration == 0 {
		return DefaultDigestInterval
	}
	return in.Spec.Interval.Duration
}
