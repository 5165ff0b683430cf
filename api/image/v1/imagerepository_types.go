package v1

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// ImageRepositoryKind is the kind of ImageRepository.
const ImageRepositoryKind string = "ImageRepository"

// DefaultExclusionList is what spec.exclusionList holds when left out: the
// tags cosign writes its signatures under.
var DefaultExclusionList = []string{`^.*\.sig$`}

// The values of spec.provider.
const (
	GenericProvider string = "generic"
	AWSProvider     string = "aws"
	AzureProvider   string = "azure"
	GCPProvider     string = "gcp"
)

// ImageRepositorySpec says which image repository to scan for tags, how
// often and with which credentials.
type ImageRepositorySpec struct {
	// Image is the image repository to scan, e.g. 'ghcr.io/org/app' or
	// 'alpine' (Docker Hub's library/alpine).
	// +required
	Image string `json:"image,omitempty"`

	// Interval between scans.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +required
	Interval metav1.Duration `json:"interval,omitempty"`

	// Timeout of one scan; the interval when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// SecretRef names a docker config Secret (as `kubectl create secret
	// docker-registry` makes) with the registry's credentials.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// ProxySecretRef names a Secret with the proxy to reach the registry
	// through: key address, and optionally username and password.
	// +optional
	ProxySecretRef *meta.LocalObjectReference `json:"proxySecretRef,omitempty"`

	// ServiceAccountName names a ServiceAccount whose image pull secrets
	// are used as credentials.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// CertSecretRef names a Secret (Opaque or kubernetes.io/tls) with TLS
	// material for the registry: ca.crt to trust it, tls.crt and tls.key
	// for a client certificate (caFile, certFile and keyFile are read too,
	// as older names).
	// +optional
	CertSecretRef *meta.LocalObjectReference `json:"certSecretRef,omitempty"`

	// Suspend stops further scans; a scan already started finishes.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// AccessFrom lists the namespaces whose ImagePolicies may refer to
	// this ImageRepository, by their labels; a policy in the repository's
	// own namespace is always allowed.
	// +optional
	AccessFrom *sourcev1.AccessFrom `json:"accessFrom,omitempty"`

	// ExclusionList holds regular expressions; a tag matching one of them
	// is left out of the scan's result.
	// +kubebuilder:default:={"^.*\\.sig$"}
	// +kubebuilder:validation:MaxItems:=25
	// +optional
	ExclusionList []string `json:"exclusionList,omitempty"`

	// Provider is the cloud whose workload identity authenticates to the
	// registry: generic (none), aws, azure or gcp.
	// +kubebuilder:validation:Enum=generic;aws;azure;gcp
	// +kubebuilder:default:=generic
	// +optional
	Provider string `json:"provider,omitempty"`

	// Insecure allows a registry served over plain HTTP.
	// +optional
	Insecure bool `json:"insecure,omitempty"`
}

// ScanResult is what the last scan found.
type ScanResult struct {
	// Revision is a stable digest of the scanned tags: equal tags, equal
	// revision.
	// +optional
	Revision string `json:"revision"`

	// TagCount is how many tags the scan kept.
	// +required
	TagCount int `json:"tagCount"`

	// ScanTime is when the scan ran.
	// +optional
	ScanTime metav1.Time `json:"scanTime"`

	// LatestTags are the first 10 tags in descending alphabetical order: a
	// sample, not the policy's choice.
	// +optional
	LatestTags []string `json:"latestTags,omitempty"`
}

// ImageRepositoryStatus is what the controller last observed.
type ImageRepositoryStatus struct {
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ObservedGeneration is the generation last reconciled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// CanonicalImageName is spec.image with every implied part written
	// out, e.g. 'index.docker.io/library/alpine' for 'alpine'.
	// +optional
	CanonicalImageName string `json:"canonicalImageName,omitempty"`

	// LastScanResult is what the last successful scan found.
	// +optional
	LastScanResult *ScanResult `json:"lastScanResult,omitempty"`

	// ObservedExclusionList is the exclusion list lastScanResult was made
	// with.
	ObservedExclusionList []string `json:"observedExclusionList,omitempty"`

	meta.ReconcileRequestStatus `json:",inline"`
}

// +kubebuilder:storageversion
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=imgrepo;imagerepo,categories=all;fluxcd;fluxcd-images
// +kubebuilder:printcolumn:name="Image",type="string",JSONPath=".spec.image"
// +kubebuilder:printcolumn:name="Tags",type=string,JSONPath=`.status.lastScanResult.tagCount`
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:printcolumn:name="Last scan",type=string,JSONPath=`.status.lastScanResult.scanTime`,priority=1
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// ImageRepository scans an image repository of a registry for its tags.
type ImageRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ImageRepositorySpec `json:"spec,omitempty"`
	// +kubebuilder:default={"observedGeneration":-1}
	Status ImageRepositoryStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ImageRepositoryList is a list of ImageRepositories.
type ImageRepositoryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ImageRepository `json:"items"`
}

// GetTimeout is spec.timeout, else spec.interval, and never under a second
// (Flux's floor).
func (in *ImageRepository) GetTimeout() time.Duration {
	d := in.Spec.Interval.Duration
	if in.Spec.Timeout != nil {
		d = in.Spec.Timeout.Duration
	}
	return max(d, time.Second)
}

// GetExclusionList is spec.exclusionList, or the default when it is empty.
func (in *ImageRepository) GetExclusionList() []string {
	if len(in.Spec.ExclusionList) > 0 {
		return in.Spec.ExclusionList
	}
	return DefaultExclusionList
}

// GetProvider is spec.provider, generic when unset.
func (in *ImageRepository) GetProvider() string {
	if in.Spec.Provider == "" {
		return GenericProvider
	}
	return in.Spec.Provider
}
