package v1

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// OCIRepositoryKind is the kind name of an OCIRepository.
	OCIRepositoryKind = "OCIRepository"

	// OCIRepositoryPrefix is the scheme every spec.url starts with.
	OCIRepositoryPrefix = "oci://"

	// Authentication providers accepted in spec.provider.
	GenericOCIProvider string = "generic"
	AmazonOCIProvider  string = "aws"
	GoogleOCIProvider  string = "gcp"
	AzureOCIProvider   string = "azure"

	// OCILayerExtract unpacks the selected (gzipped tar) layer into the
	// artifact; it is what an unset spec.layerSelector.operation means.
	OCILayerExtract = "extract"
	// OCILayerCopy stores the selected layer's compressed bytes as they
	// are, as the artifact.
	OCILayerCopy = "copy"
)

// Reasons an OCIRepository writes on its conditions besides the shared ones
// in condition_types.go.
const (
	// OCIPullFailedReason: resolving or downloading the artifact failed.
	OCIPullFailedReason string = "OCIArtifactPullFailed"
	// OCILayerOperationFailedReason: the selected layer could not be found,
	// extracted or copied.
	OCILayerOperationFailedReason string = "OCIArtifactLayerOperationFailed"
)

// OCIRepositorySpec is what the user asks for: which artifact, which
// reference, which layer, and how to authenticate.
type OCIRepositorySpec struct {
	// URL of the artifact's repository, 'oci://<registry>/<repository>'.
	// Required: the object-level rule below says so, as in Flux.
	// +kubebuilder:validation:Pattern="^oci://.*$"
	// +optional
	URL string `json:"url,omitempty"`

	// Reference selects the artifact to pull; the 'latest' tag when unset.
	// +optional
	Reference *OCIRepositoryRef `json:"ref,omitempty"`

	// LayerSelector picks the layer that becomes the artifact; the first
	// layer when unset.
	// +optional
	LayerSelector *OCILayerSelector `json:"layerSelector,omitempty"`

	// Provider selects how to authenticate: 'generic' (the default, using
	// secretRef), 'aws', 'azure' or 'gcp'.
	// +kubebuilder:validation:Enum=generic;aws;azure;gcp
	// +optional
	Provider string `json:"provider,omitempty"`

	// SecretRef names a Secret of type kubernetes.io/dockerconfigjson in
	// the same namespace with the registry credentials.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// Verify asks for the artifact's signature to be checked.
	// +optional
	Verify *OCIRepositoryVerification `json:"verify,omitempty"`

	// ServiceAccountName is a ServiceAccount in the same namespace whose
	// image pull secrets (or, with a cloud provider, identity) are used to
	// authenticate.
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// CertSecretRef names a Secret (type Opaque or kubernetes.io/tls) with
	// a client certificate and key ('tls.crt', 'tls.key') and/or a CA
	// ('ca.crt') for the TLS connection to the registry.
	// +optional
	CertSecretRef *meta.LocalObjectReference `json:"certSecretRef,omitempty"`

	// ProxySecretRef names a Secret with 'address', and optionally
	// 'username' and 'password', of a proxy to reach the registry through.
	// +optional
	ProxySecretRef *meta.LocalObjectReference `json:"proxySecretRef,omitempty"`

	// Interval between checks of the registry for a new digest. Required:
	// the object-level rule below says so, as in Flux.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// Timeout of the registry operations; 60s when unset (applied in code,
	// not as a schema default, as in Flux).
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Ignore replaces the default exclusions applied when extracting the
	// layer with these patterns, written in .gitignore syntax.
	// +optional
	Ignore *string `json:"ignore,omitempty"`

	// Insecure allows plain HTTP to the registry.
	// +optional
	Insecure bool `json:"insecure,omitempty"`

	// Suspend stops reconciliation until it is set back to false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// OCIRepositoryRef selects an artifact in the repository. When several
// fields are set, digest wins over semver, and semver over tag.
type OCIRepositoryRef struct {
	// Digest to pull, 'sha256:<hex>'.
	// +optional
	Digest string `json:"digest,omitempty"`

	// SemVer is a range; the highest tag inside it is pulled.
	// +optional
	SemVer string `json:"semver,omitempty"`

	// SemverFilter is a regular expression the tags must match before the
	// semver range is applied.
	// +optional
	SemverFilter string `json:"semverFilter,omitempty"`

	// Tag to pull; 'latest' when no field is set.
	// +optional
	Tag string `json:"tag,omitempty"`
}

// OCILayerSelector picks a layer of the artifact and says what to do with
// it.
type OCILayerSelector struct {
	// MediaType of the layer to use; the first layer of this type is
	// taken.
	// +optional
	MediaType string `json:"mediaType,omitempty"`

	// Operation is 'extract' (unpack the gzipped tarball, the default) or
	// 'copy' (store the layer's compressed bytes unchanged).
	// +kubebuilder:validation:Enum=extract;copy
	// +optional
	Operation string `json:"operation,omitempty"`
}

// OCIRepositoryStatus is what the controller observed and produced.
type OCIRepositoryStatus struct {
	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions of the object (Ready, Reconciling, Stalled, ...).
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// URL is a stable link to the latest artifact; status.artifact is the
	// precise reference.
	// +optional
	URL string `json:"url,omitempty"`

	// Artifact is the last artifact produced and served.
	// +optional
	Artifact *meta.Artifact `json:"artifact,omitempty"`

	// ObservedIgnore is the spec.ignore that Artifact was built with.
	// +optional
	ObservedIgnore *string `json:"observedIgnore,omitempty"`

	// ObservedLayerSelector is the spec.layerSelector that Artifact was
	// built with.
	// +optional
	ObservedLayerSelector *OCILayerSelector `json:"observedLayerSelector,omitempty"`

	// SourceVerificationFingerprint identifies the verification material
	// that verified Artifact, so that a key rotation makes the same digest
	// be verified again.
	// +optional
	SourceVerificationFingerprint string `json:"sourceVerificationFingerprint,omitempty"`

	meta.ReconcileRequestStatus `json:",inline"`
}

// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=ocirepo,categories=all;fluxcd;fluxcd-sources
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="URL",type=string,JSONPath=`.spec.url`
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"
// +kubebuilder:validation:XValidation:rule="has(self.spec) && has(self.spec.url)",message="spec.url is required"
// +kubebuilder:validation:XValidation:rule="has(self.spec) && has(self.spec.interval)",message="spec.interval is required"

// OCIRepository turns an artifact in an OCI registry into a tarball
// artifact served over HTTP, like a GitRepository does for a Git ref.
type OCIRepository struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec OCIRepositorySpec `json:"spec,omitempty"`
	// +kubebuilder:default={"observedGeneration":-1}
	Status OCIRepositoryStatus `json:"status,omitempty"`
}

// OCIRepositoryList is a list of OCIRepositories.
// +kubebuilder:object:root=true
type OCIRepositoryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []OCIRepository `json:"items"`
}

// GetConditions returns the status conditions.
func (in *OCIRepository) GetConditions() []metav1.Condition {
	return in.Status.Conditions
}

// SetConditions replaces the status conditions.
func (in *OCIRepository) SetConditions(conditions []metav1.Condition) {
	in.Status.Conditions = conditions
}

// GetRequeueAfter returns how long to wait before the next check (0 when
// the interval is unset, which the schema refuses).
func (in *OCIRepository) GetRequeueAfter() time.Duration {
	if in.Spec.Interval == nil {
		return 0
	}
	return in.Spec.Interval.Duration
}

// GetArtifact returns the stored artifact, or nil.
func (in *OCIRepository) GetArtifact() *meta.Artifact {
	return in.Status.Artifact
}

// GetProvider returns the authentication provider, 'generic' when unset.
func (in *OCIRepository) GetProvider() string {
	if in.Spec.Provider == "" {
		return GenericOCIProvider
	}
	return in.Spec.Provider
}

// GetLayerMediaType returns the selected media type, "" (the first layer)
// when there is no selector.
func (in *OCIRepository) GetLayerMediaType() string {
	if in.Spec.LayerSelector == nil {
		return ""
	}
	return in.Spec.LayerSelector.MediaType
}

// GetLayerOperation returns the layer operation, 'extract' when unset.
func (in *OCIRepository) GetLayerOperation() string {
	if in.Spec.LayerSelector == nil || in.Spec.LayerSelector.Operation == "" {
		return OCILayerExtract
	}
	return in.Spec.LayerSelector.Operation
}

// GetTimeout returns the registry operation timeout, 60s when unset.
func (in *OCIRepository) GetTimeout() time.Duration {
	if in.Spec.Timeout == nil {
		return 60 * time.Second
	}
	return in.Spec.Timeout.Duration
}
