package v1

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const (
	// KustomizationKind is the kind name of a Kustomization.
	KustomizationKind = "Kustomization"

	// Values of the per-object annotations the controller honours.
	EnabledValue      = "enabled"
	DisabledValue     = "disabled"
	MergeValue        = "Merge"
	IfNotPresentValue = "IfNotPresent"
	IgnoreValue       = "Ignore"

	// Values of spec.deletionPolicy.
	DeletionPolicyMirrorPrune        = "MirrorPrune"
	DeletionPolicyDelete             = "Delete"
	DeletionPolicyWaitForTermination = "WaitForTermination"
	DeletionPolicyOrphan             = "Orphan"

	// MaxConditionMessageLength caps condition messages, which can list
	// many objects.
	MaxConditionMessageLength = 20000

	// minTimeout is the floor of the apply and health-check timeout.
	minTimeout = 30 * time.Second
)

// KustomizationSpec is what the user asks for: which folder of which source to
// build, how to change the result, and how to apply, prune and check it.
type KustomizationSpec struct {
	// CommonMetadata adds these labels and annotations to every object,
	// overriding keys already present.
	// +optional
	CommonMetadata *CommonMetadata `json:"commonMetadata,omitempty"`

	// DependsOn lists Kustomizations that must be ready before this one is
	// applied.
	// +optional
	DependsOn []DependencyReference `json:"dependsOn,omitempty"`

	// Decryption of encrypted Secrets before they are applied.
	// +optional
	Decryption *Decryption `json:"decryption,omitempty"`

	// Interval between reconciliations.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +required
	Interval metav1.Duration `json:"interval"`

	// RetryInterval between attempts after a failure; Interval when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	RetryInterval *metav1.Duration `json:"retryInterval,omitempty"`

	// KubeConfig targets a remote cluster instead of the local one; with
	// ServiceAccountName, that account is impersonated there.
	// +optional
	KubeConfig *KubeConfigReference `json:"kubeConfig,omitempty"`

	// Path of the folder to build, relative to the artifact's root; a
	// kustomization.yaml is generated when it has none. The root when unset.
	// +optional
	Path string `json:"path,omitempty"`

	// PostBuild substitutes variables in the built YAML.
	// +optional
	PostBuild *PostBuild `json:"postBuild,omitempty"`

	// Prune deletes objects that were applied before and have left the source.
	// +required
	Prune bool `json:"prune"`

	// DeletionPolicy decides what happens to the applied objects when the
	// Kustomization is deleted: 'MirrorPrune' (the default: delete them if
	// prune is true), 'Delete', 'WaitForTermination' or 'Orphan'.
	// +kubebuilder:validation:Enum=MirrorPrune;Delete;WaitForTermination;Orphan
	// +optional
	DeletionPolicy string `json:"deletionPolicy,omitempty"`

	// HealthChecks lists objects whose health decides the Healthy condition.
	// +optional
	HealthChecks []meta.NamespacedObjectKindReference `json:"healthChecks,omitempty"`

	// NamePrefix is put before every object's name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	// +kubebuilder:validation:Optional
	// +optional
	NamePrefix string `json:"namePrefix,omitempty"`

	// NameSuffix is put after every object's name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=200
	// +kubebuilder:validation:Optional
	// +optional
	NameSuffix string `json:"nameSuffix,omitempty"`

	// Patches applied to the built objects.
	// +optional
	Patches []Patch `json:"patches,omitempty"`

	// Images rewrites image references in the built objects.
	// +optional
	Images []Image `json:"images,omitempty"`

	// ServiceAccountName is impersonated for every apply and prune.
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// SourceRef is the source whose artifact is built.
	// +required
	SourceRef CrossNamespaceSourceReference `json:"sourceRef"`

	// Suspend stops reconciliation until it is set back to false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`

	// TargetNamespace puts every namespaced object into this namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:Optional
	// +optional
	TargetNamespace string `json:"targetNamespace,omitempty"`

	// Timeout of validation, apply and health checks; Interval when unset.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	Timeout *metav1.Duration `json:"timeout,omitempty"`

	// Force recreates objects whose update fails on an immutable field.
	// +kubebuilder:default:=false
	// +optional
	Force bool `json:"force,omitempty"`

	// Wait checks the health of every applied object; HealthChecks are then
	// ignored.
	// +optional
	Wait bool `json:"wait,omitempty"`

	// BuildMetadata asks kustomize to record how each object was built:
	// 'originAnnotations' (the file or generator it came from) and/or
	// 'transformerAnnotations' (the transformers that changed it). When set,
	// it replaces the buildMetadata of the kustomization.yaml being built.
	// +optional
	BuildMetadata []BuildMetadataOption `json:"buildMetadata,omitempty"`

	// Components are kustomize components, relative to Path, to add.
	// +optional
	Components []string `json:"components,omitempty"`

	// IgnoreMissingComponents drops components that are not in the source
	// instead of failing the build.
	// +optional
	IgnoreMissingComponents bool `json:"ignoreMissingComponents,omitempty"`

	// HealthCheckExprs read the health of custom kinds with CEL. They are
	// used only with Wait or HealthChecks.
	// +optional
	HealthCheckExprs []CustomHealthCheck `json:"healthCheckExprs,omitempty"`

	// Ignore names fields that the controller neither applies nor corrects
	// when they drift, so that another actor (an autoscaler, a webhook) can
	// own them.
	// +optional
	Ignore []IgnoreRule `json:"ignore,omitempty"`
}

// BuildMetadataOption is one kind of build information kustomize can record
// on the objects it builds.
// +kubebuilder:validation:Enum=originAnnotations;transformerAnnotations
type BuildMetadataOption string

const (
	// BuildMetadataOriginAnnotations adds the config.kubernetes.io/origin
	// annotation: where the object was read or generated from.
	BuildMetadataOriginAnnotations BuildMetadataOption = "originAnnotations"

	// BuildMetadataTransformerAnnotations adds an annotation listing the
	// transformers that changed the object.
	BuildMetadataTransformerAnnotations BuildMetadataOption = "transformerAnnotations"
)

// IgnoreRule names fields, as JSON pointers, that the apply and the drift
// correction leave alone on the selected objects.
type IgnoreRule struct {
	// Paths are JSON pointers (RFC 6901) to the fields.
	// +required
	Paths []string `json:"paths"`

	// Target selects the objects; every object when unset.
	// +optional
	Target *Selector `json:"target,omitempty"`
}

// CommonMetadata holds labels and annotations for every built object.
type CommonMetadata struct {
	// Annotations to add.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`

	// Labels to add.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
}

// Decryption configures how encrypted manifests are decrypted.
type Decryption struct {
	// Provider of the decryption; only 'sops'.
	// +kubebuilder:validation:Enum=sops
	// +required
	Provider string `json:"provider"`

	// ServiceAccountName whose cloud identity reaches the KMS.
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`

	// SecretRef names a Secret with the private keys.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`
}

// SubstituteStrategy decides when post-build substitution runs.
type SubstituteStrategy string

const (
	// SubstituteStrategyWithVariables, the default, substitutes only when at
	// least one variable resolved (from substitute or substituteFrom); with
	// none, the YAML is applied as written.
	SubstituteStrategyWithVariables SubstituteStrategy = "WithVariables"

	// SubstituteStrategyAlways substitutes even with no variable, so that
	// defaults such as ${VAR:=value} take effect.
	SubstituteStrategyAlways SubstituteStrategy = "Always"
)

// PostBuild substitutes ${VAR} and ${VAR:=default} in the built YAML.
type PostBuild struct {
	// SubstituteStrategy is 'WithVariables' (the default when unset: no
	// substitution unless a variable resolved) or 'Always'.
	// +kubebuilder:validation:Enum=WithVariables;Always
	// +optional
	SubstituteStrategy SubstituteStrategy `json:"substituteStrategy,omitempty"`

	// Substitute maps variable names to values.
	// +optional
	Substitute map[string]string `json:"substitute,omitempty"`

	// SubstituteFrom reads variables from ConfigMaps and Secrets; later
	// entries win, and Substitute wins over all.
	// +optional
	SubstituteFrom []SubstituteReference `json:"substituteFrom,omitempty"`
}

// KustomizationStatus is what the controller observed and did.
type KustomizationStatus struct {
	meta.ReconcileRequestStatus `json:",inline"`

	// ObservedGeneration is the generation the status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions of the object (Ready, Reconciling, Stalled, Healthy).
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// LastAppliedRevision is the source revision last applied with success.
	// +optional
	LastAppliedRevision string `json:"lastAppliedRevision,omitempty"`

	// LastAppliedOriginRevision is the origin revision recorded in the
	// artifact last applied, when the source gives one.
	// +optional
	LastAppliedOriginRevision string `json:"lastAppliedOriginRevision,omitempty"`

	// LastAttemptedRevision is the source revision last tried.
	// +optional
	LastAttemptedRevision string `json:"lastAttemptedRevision,omitempty"`

	// Inventory lists the objects applied with success.
	// +optional
	Inventory *ResourceInventory `json:"inventory,omitempty"`

	// History keeps the last reconciliations: revision, result, duration.
	// +optional
	History meta.History `json:"history,omitempty"`
}

// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:shortName=ks,categories=all;fluxcd;fluxcd-appliers
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// Kustomization builds a folder of a source artifact with kustomize and keeps
// the cluster equal to the result.
type Kustomization struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec KustomizationSpec `json:"spec,omitempty"`
	// +kubebuilder:default:={"observedGeneration":-1}
	Status KustomizationStatus `json:"status,omitempty"`
}

// KustomizationList is a list of Kustomizations.
// +kubebuilder:object:root=true
type KustomizationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Kustomization `json:"items"`
}

// GetConditions returns the status conditions.
func (in *Kustomization) GetConditions() []metav1.Condition {
	return in.Status.Conditions
}

// SetConditions replaces the status conditions.
func (in *Kustomization) SetConditions(conditions []metav1.Condition) {
	in.Status.Conditions = conditions
}

// GetRequeueAfter returns the interval between reconciliations.
func (in *Kustomization) GetRequeueAfter() time.Duration {
	return in.Spec.Interval.Duration
}

// GetRetryInterval returns the wait after a failure.
func (in *Kustomization) GetRetryInterval() time.Duration {
	if in.Spec.RetryInterval != nil {
		return in.Spec.RetryInterval.Duration
	}
	return in.GetRequeueAfter()
}

// GetTimeout returns the apply and health-check timeout: spec.timeout, or the
// interval less 30s, and never under 30s.
func (in *Kustomization) GetTimeout() time.Duration {
	timeout := in.Spec.Interval.Duration - minTimeout
	if in.Spec.Timeout != nil {
		timeout = in.Spec.Timeout.Duration
	}
	return max(timeout, minTimeout)
}

// GetDeletionPolicy returns spec.deletionPolicy, MirrorPrune when unset.
func (in *Kustomization) GetDeletionPolicy() string {
	if in.Spec.DeletionPolicy == "" {
		return DeletionPolicyMirrorPrune
	}
	return in.Spec.DeletionPolicy
}

// GetSubstituteStrategy returns spec.postBuild.substituteStrategy,
// WithVariables when unset.
func (in *Kustomization) GetSubstituteStrategy() SubstituteStrategy {
	if in.Spec.PostBuild == nil || in.Spec.PostBuild.SubstituteStrategy == "" {
		return SubstituteStrategyWithVariables
	}
	return in.Spec.PostBuild.SubstituteStrategy
}

// GetDependsOn returns the dependencies as namespaced references.
func (in *Kustomization) GetDependsOn() []meta.NamespacedObjectReference {
	deps := make([]meta.NamespacedObjectReference, len(in.Spec.DependsOn))
	for i, d := range in.Spec.DependsOn {
		deps[i] = meta.NamespacedObjectReference{Name: d.Name, Namespace: d.Namespace}
	}
	return deps
}
