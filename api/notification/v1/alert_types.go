package v1

import (
	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AlertKind is the kind of Alert.
const AlertKind string = "Alert"

// AlertSpec says which events go to which Provider.
type AlertSpec struct {
	// ProviderRef names the Provider, in the Alert's namespace, that sends
	// the notifications.
	// +required
	ProviderRef meta.LocalObjectReference `json:"providerRef"`

	// EventSeverity is the lowest severity forwarded: info forwards all
	// events, error only errors.
	// +kubebuilder:validation:Enum=info;error
	// +kubebuilder:default:=info
	// +optional
	EventSeverity string `json:"eventSeverity,omitempty"`

	// EventSources lists the objects whose events this Alert forwards.
	// +required
	EventSources []CrossNamespaceObjectReference `json:"eventSources"`

	// InclusionList holds Go regular expressions; when set, only events whose
	// message matches one of them are forwarded.
	// +optional
	InclusionList []string `json:"inclusionList,omitempty"`

	// EventMetadata is added to every forwarded event's metadata. Keys the
	// emitting controller set win over these; these win over the
	// event.toolkit.fluxcd.io/ annotations of the object.
	// +optional
	EventMetadata map[string]string `json:"eventMetadata,omitempty"`

	// ExclusionList holds Go regular expressions; an event whose message
	// matches one of them is dropped, even when the inclusion list matches.
	// +optional
	ExclusionList []string `json:"exclusionList,omitempty"`

	// Suspend stops this Alert from forwarding events.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// +kubebuilder:storageversion
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=all;fluxcd;fluxcd-notifications
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// Alert forwards the events of some Flux objects to a Provider. It has no
// status, as in Flux: it is read each time an event arrives.
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
