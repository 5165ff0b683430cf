package v1

import (
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ImageUpdateAutomationKind is the kind of ImageUpdateAutomation.
const ImageUpdateAutomationKind string = "ImageUpdateAutomation"

// ImageUpdateAutomationFinalizer is Flux's name for the finalizer; the
// same as ImageFinalizer.
const ImageUpdateAutomationFinalizer string = ImageFinalizer

// ImageUpdateAutomationSpec says which Git repository to update with the
// ImagePolicies' latest images, where in it, and how to commit and push.
type ImageUpdateAutomationSpec struct {
	// SourceRef names the GitRepository to clone, with its URL and
	// credentials.
	// +required
	SourceRef CrossNamespaceSourceReference `json:"sourceRef"`

	// GitSpec says what to check out, how to commit and where to push. The
	// schema allows leaving it out; a run needs it.
	// +optional
	GitSpec *GitSpec `json:"git,omitempty"`

	// Interval is the longest time between two runs.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +required
	Interval metav1.Duration `json:"interval"`

	// PolicyChangeDelay postpones the run an ImagePolicy change triggers,
	// so the changes arriving within it land in one commit; with
	// policySelector, only the selected policies' changes count. Unset, a
	// change runs the automation at once.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +optional
	PolicyChangeDelay *metav1.Duration `json:"policyChangeDelay,omitempty"`

	// PolicySelector selects, by label, the ImagePolicies of the
	// automation's namespace whose images are written; all of them when
	// unset.
	// +optional
	PolicySelector *metav1.LabelSelector `json:"policySelector,omitempty"`

	// Update says how files are rewritten; Setters when unset.
	// +kubebuilder:default={"strategy":"Setters"}
	Update *UpdateStrategy `json:"update,omitempty"`

	// Suspend stops further runs until it is unset.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// UpdateStrategyName names a way of rewriting files.
// +kubebuilder:validation:Enum=Setters
type UpdateStrategyName string

// UpdateStrategySetters rewrites the YAML values carrying an
// {"$imagepolicy": "<namespace>:<name>[:tag|:name|:digest]"} comment.
const UpdateStrategySetters UpdateStrategyName = "Setters"

// UpdateStrategy says how and where files are rewritten.
type UpdateStrategy struct {
	// Strategy is the way files are rewritten.
	// +optional
	// +kubebuilder:default=Setters
	Strategy UpdateStrategyName `json:"strategy,omitempty"`

	// Path is the folder, relative to the repository's root, whose files
	// are rewritten; the whole repository when unset.
	// +optional
	Path string `json:"path,omitempty"`
}

// ImageUpdateAutomationStatus is what the controller last observed.
type ImageUpdateAutomationStatus struct {
	// LastAutomationRunTime is when a run last went through to the end,
	// whether or not it changed anything.
	// +optional
	LastAutomationRunTime *metav1.Time `json:"lastAutomationRunTime,omitempty"`

	// LastPushCommit is the hash of the last commit this automation pushed.
	// +optional
	LastPushCommit string `json:"lastPushCommit,omitempty"`

	// LastPushTime is when this automation last pushed.
	// +optional
	LastPushTime *metav1.Time `json:"lastPushTime,omitempty"`

	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ObservedPolicies are the policies the last run wrote, by name, with
	// the image each one chose.
	// +optional
	ObservedPolicies ObservedPolicies `json:"observedPolicies,omitempty"`

	// ObservedSourceRevision is the Git revision the last run started from;
	// with ObservedPolicies it lets an unchanged run be skipped.
	// +optional
	ObservedSourceRevision string `json:"observedSourceRevision,omitempty"`

	meta.ReconcileRequestStatus `json:",inline"`
}

// ObservedPolicies maps a policy's name to the image it chose.
type ObservedPolicies map[string]ImageRef

// +kubebuilder:storageversion
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=iua;imgupd;imgauto,categories=all;fluxcd;fluxcd-images
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:printcolumn:name="Last run",type="string",JSONPath=".status.lastAutomationRunTime",priority=1
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// ImageUpdateAutomation writes the images its ImagePolicies chose into the
// files of a Git repository and pushes the commit.
type ImageUpdateAutomation struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ImageUpdateAutomationSpec `json:"spec,omitempty"`
	// +kubebuilder:default={"observedGeneration":-1}
	Status ImageUpdateAutomationStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ImageUpdateAutomationList is a list of ImageUpdateAutomations.
type ImageUpdateAutomationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ImageUpdateAutomation `json:"items"`
}

// GetPolicyChangeDelay is spec.policyChangeDelay, zero when unset.
func (in *ImageUpdateAutomation) GetPolicyChangeDelay() time.Duration {
	if in.Spec.PolicyChangeDelay == nil {
		return 0
	}
	return in.Spec.PolicyChangeDelay.Duration
}

// GetUpdateStrategy is spec.update.strategy, Setters when unset.
func (in *ImageUpdateAutomation) GetUpdateStrategy() UpdateStrategyName {
	if in.Spec.Update == nil || in.Spec.Update.Strategy == "" {
		return UpdateStrategySetters
	}
	return in.Spec.Update.Strategy
}

// GetUpdatePath is spec.update.path, empty (the repository's root) when
// unset.
func (in *ImageUpdateAutomation) GetUpdatePath() string {
	if in.Spec.Update == nil {
		return ""
	}
	return in.Spec.Update.Path
}
