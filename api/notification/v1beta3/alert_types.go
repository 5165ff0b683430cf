package v1beta3

import (
	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/tidegitops/tide/api/notification/v1"
)

// AlertSpec is v1's, plus summary.
type AlertSpec struct {
	// ProviderRef names the Provider, in the Alert's namespace.
	// +required
	ProviderRef meta.LocalObjectReference `json:"providerRef"`

	// EventSeverity is the lowest severity forwarded (info: all events).
	// +kubebuilder:validation:Enum=info;error
	// +kubebuilder:default:=info
	// +optional
	EventSeverity string `json:"eventSeverity,omitempty"`

	// EventSources lists the objects whose events this Alert forwards.
	// +required
	EventSources []v1.CrossNamespaceObjectReference `json:"eventSources"`

	// InclusionList: Go regular expressions a message must match one of.
	// +optional
	InclusionList []string `json:"inclusionList,omitempty"`

	// EventMetadata is added to every forwarded event's metadata, without
	// overriding what the emitter set.
	// +optional
	EventMetadata map[string]string `json:"eventMetadata,omitempty"`

	// ExclusionList: Go regular expressions that drop a matching message.
	// +optional
	ExclusionList []string `json:"exclusionList,omitempty"`

	// Summary is a short text added to the metadata as "summary".
	// Deprecated: use EventMetadata.
	//
	// +kubebuilder:validation:MaxLength:=255
	// +optional
	// +deprecated
	Summary string `json:"summary,omitempty"`

	// Suspend stops this Alert from forwarding events.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=all;fluxcd;fluxcd-notifications
// +kubebuilder:deprecatedversion:warning="v1beta3 Alert is deprecated, upgrade to v1"
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// Alert forwards the events of some Flux objects to a Provider (v1beta3).
type Alert struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec AlertSpec `json:"spec,omitempty"`
}

// +kubebuilder:object:root=true

// AlertList is a list of Alerts.
type AlertList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Alert `json:"items"`
}
