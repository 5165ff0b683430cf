package v1

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// HelmRepositoryKind is the kind name of a HelmRepository.
	HelmRepositoryKind = "HelmRepository"

	// HelmRepositoryTypeDefault is a classic chart repository served over
	// HTTP(S) with an index.yaml; it is what an unset spec.type means.
	HelmRepositoryTypeDefault = "default"
	// HelmRepositoryTypeOCI is a registry holding charts as OCI artifacts;
	// the object then only carries the URL and credentials for HelmCharts.
	HelmRepositoryTypeOCI = "oci"

	// Authentication providers accepted in spec.provider (type oci only).
	HelmProviderGeneric = "generic"
	HelmProviderAWS     = "aws"
	HelmProviderAzure   = "azure"
	HelmProviderGCP     = "gcp"
)

// Reasons a HelmRepository writes on its conditions besides the shared ones
// in condition_types.go. Success is meta.SucceededReason, as in Flux.
const (
	// IndexationFailedReason: the index.yaml could not be fetched or parsed.
	IndexationFailedReason string = "IndexationFailed"
)

// HelmRepositorySpec is what the user asks for: where the repository is,
// how to authenticate, and how often to look for a new index.
type HelmRepositorySpec struct {
	// URL of the repository: http(s):// for type 'default', oci:// for
	// type 'oci'.
	// +kubebuilder:validation:Pattern="^(http|https|oci)://.*$"
	// +required
	URL string `json:"url"`

	// SecretRef names a Secret in the same namespace with 'username' and
	// 'password' for basic auth. Its 'certFile'/'keyFile'/'caFile' keys
	// are a deprecated way to give TLS material; certSecretRef wins.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// CertSecretRef names a Secret (type Opaque or kubernetes.io/tls) with
	// a client certificate and key ('tls.crt', 'tls.key') and/or a CA
	// ('ca.crt') for the TLS connection. It takes precedence over TLS keys
	// in the secretRef Secret.
	// +optional
	CertSecretRef *meta.LocalObjectReference `json:"certSecretRef,omitempty"`

	// PassCredentials sends the secretRef credentials also to hosts other
	// than the URL's, for indexes whose chart URLs point elsewhere. Only
	// enable it for hosts you trust with the credentials.
	// +optional
	PassCredentials bool `json:"passCredentials,omitempty"`

	// Interval between checks of the index for changes.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Interval metav1.Duration `json:"interval,omitempty"`

	// Insecure allows plain HTTP to the registry; it only applies to type
	// 'oci'.
	// +optional
	Insecure bool `json:"insecure,omitempty"`

	// Timeout of the index download (type 'default') and of the registry
	// operations of HelmCharts using this repository (type 'oci'); 60s
	// when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Suspend stops reconciliation until it is set back to false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// AccessFrom is Flux's provisional cross-namespace access list; see
	// AccessFrom.
	// +optional
	AccessFrom *AccessFrom `json:"accessFrom,omitempty"`

	// Type is 'default' (an index.yaml over HTTP(S)) or 'oci' (an OCI
	// registry, with an oci:// URL).
	// +kubebuilder:validation:Enum=default;oci
	// +optional
	Type string `json:"type,omitempty"`

	// Provider selects how to authenticate to an OCI registry: 'generic'
	// (the default, using secretRef), 'aws', 'azure' or 'gcp'. Only used
	// with type 'oci'.
	// +kubebuilder:validation:Enum=generic;aws;azure;gcp
	// +kubebuilder:default:=generic
	// +optional
	Provider string `json:"provider,omitempty"`
}

// HelmRepositoryStatus is what the controller observed and produced.
type HelmRepositoryStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions of the object (Ready, Reconciling, Stalled, ...).
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// URL is a stable link to the latest index artifact; status.artifact
	// is the precise reference.
	// +optional
	URL string `json:"url,omitempty"`

	// Artifact is the last index stored and served (none for type 'oci').
	// +optional
	Artifact *meta.Artifact `json:"artifact,omitempty"`

	meta.ReconcileRequestStatus `json:",inline"`
}

// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=helmrepo,categories=all;fluxcd;fluxcd-sources
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// HelmRepository turns a chart repository's index into an artifact that
// HelmCharts resolve chart versions from, or, for type 'oci', names a
// registry and its credentials for them.
type HelmRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec HelmRepositorySpec `json:"spec,omitempty"`
	// +kubebuilder:default={"observedGeneration":-1}
	Status HelmRepositoryStatus `json:"status,omitempty"`
}

// HelmRepositoryList is a list of HelmRepositories.
// +kubebuilder:object:root=true
type HelmRepositoryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HelmRepository `json:"items"`
}

// GetConditions returns the status conditions.
func (in *HelmRepository) GetConditions() []metav1.Condition {
	return in.Status.Conditions
}

// SetConditions replaces the status conditions.
func (in *HelmRepository) SetConditions(conditions []metav1.Condition) {
	in.Status.Conditions = conditions
}

// GetRequeueAfter returns how long to wait before the next check: the
// interval, or one minute when it is unset (it is optional, as in Flux).
func (in *HelmRepository) GetRequeueAfter() time.Duration {
	if in.Spec.Interval.Duration != 0 {
		return in.Spec.Interval.Duration
	}
	return time.Minute
}

// GetTimeout returns the fetch timeout, 60s when unset.
func (in *HelmRepository) GetTimeout() time.Duration {
	if in.Spec.Timeout != nil {
		return in.Spec.Timeout.Duration
	}
	return 60 * time.Second
}

// GetArtifact returns the stored index artifact, or nil.
func (in *HelmRepository) GetArtifact() *meta.Artifact {
	return in.Status.Artifact
}

// GetType returns spec.type, 'default' when unset.
func (in *HelmRepository) GetType() string {
	if in.Spec.Type == "" {
		return HelmRepositoryTypeDefault
	}
	return in.Spec.Type
}

// IsOCI reports whether the repository is an OCI registry.
func (in *HelmRepository) IsOCI() bool {
	return in.GetType() == HelmRepositoryTypeOCI
}

// GetProvider returns the authentication provider, 'generic' when unset.
func (in *HelmRepository) GetProvider() string {
	if in.Spec.Provider == "" {
		return HelmProviderGeneric
	}
	return in.Spec.Provider
}
