package v1

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ReceiverKind is the kind of Receiver.
const ReceiverKind string = "Receiver"

// ReceiverWebhookPath is the prefix of every Receiver's URL path.
const ReceiverWebhookPath string = "/hook/"

// The values of spec.type, as Flux names them.
const (
	GenericReceiver     string = "generic"
	GenericHMACReceiver string = "generic-hmac"
	GenericOIDCReceiver string = "generic-oidc"
	GitHubReceiver      string = "github"
	GitLabReceiver      string = "gitlab"
	BitbucketReceiver   string = "bitbucket"
	HarborReceiver      string = "harbor"
	DockerHubReceiver   string = "dockerhub"
	QuayReceiver        string = "quay"
	GCRReceiver         string = "gcr"
	NexusReceiver       string = "nexus"
	ACRReceiver         string = "acr"
	CDEventsReceiver    string = "cdevents"
)

// DefaultOIDCAudience is the audience a generic-oidc token must carry when
// its provider names none.
const DefaultOIDCAudience string = "notification-controller"

// ReceiverSpec says which webhook calls are accepted and what they reconcile.
// +kubebuilder:validation:XValidation:rule="self.type != 'generic-oidc' || (has(self.oidcProviders) && size(self.oidcProviders) > 0)",message="generic-oidc receivers must define at least one oidcProvider"
// +kubebuilder:validation:XValidation:rule="self.type == 'generic-oidc' || !has(self.oidcProviders) || size(self.oidcProviders) == 0",message="oidcProviders can only be set when type is generic-oidc"
// +kubebuilder:validation:XValidation:rule="self.type != 'generic-oidc' || !has(self.secretRef)",message="secretRef cannot be set when type is generic-oidc"
// +kubebuilder:validation:XValidation:rule="self.type == 'generic-oidc' || has(self.secretRef)",message="secretRef is required when type is not generic-oidc"
type ReceiverSpec struct {
	// Type is the sender of the webhook: it decides how a call is verified
	// and its payload read.
	// +kubebuilder:validation:Enum=generic;generic-hmac;generic-oidc;github;gitlab;bitbucket;harbor;dockerhub;quay;gcr;nexus;acr;cdevents
	// +required
	Type string `json:"type"`

	// Interval between reconciliations of the Receiver with its Secret.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern="^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"
	// +kubebuilder:default:="10m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// Events lists the sender's event types that trigger a reconcile (e.g.
	// push for GitHub, Push Hook for GitLab); empty accepts all.
	// +optional
	Events []string `json:"events,omitempty"`

	// Resources are the objects asked to reconcile on a verified call.
	// +required
	Resources []ReceiverResource `json:"resources"`

	// ResourceFilter is a CEL expression, over the object (res) and the
	// request body (req), that must be true for an object to be asked to
	// reconcile. One that does not compile stalls the Receiver.
	// +optional
	ResourceFilter string `json:"resourceFilter,omitempty"`

	// SecretRef names the Secret whose token key verifies calls and makes
	// the URL path (gcr also reads email and audience). Required except for
	// generic-oidc.
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// OIDCProviders verify the bearer tokens of a generic-oidc Receiver.
	// +listType=map
	// +listMapKey=issuerURL
	// +optional
	OIDCProviders []OIDCProvider `json:"oidcProviders,omitempty"`

	// Suspend stops this Receiver from acting on calls.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ReceiverResource is an object reference with its own CEL filter.
type ReceiverResource struct {
	CrossNamespaceObjectReference `json:",inline"`

	// Filter is a CEL expression, over res and req, that must be true (as
	// well as spec.resourceFilter) for a matched object to be reconciled.
	// +optional
	Filter string `json:"filter,omitempty"`
}

// OIDCProvider is an issuer whose tokens a generic-oidc Receiver accepts.
type OIDCProvider struct {
	// IssuerURL is the issuer, equal to the tokens' iss claim.
	// +kubebuilder:validation:Pattern="^https?://"
	// +required
	IssuerURL string `json:"issuerURL"`

	// Audience the tokens must carry (notification-controller when unset).
	// +optional
	Audience string `json:"audience,omitempty"`

	// Variables are named CEL expressions over the claims, usable as
	// vars.<name> by later variables and by the validations.
	// +optional
	Variables []OIDCVariable `json:"variables,omitempty"`

	// Validations are CEL expressions over claims and vars that must all
	// be true for a call to be accepted.
	// +kubebuilder:validation:MinItems=1
	// +required
	Validations []OIDCValidation `json:"validations"`
}

// OIDCVariable is a named CEL expression over a token's claims.
type OIDCVariable struct {
	// Name of the variable, a CEL identifier.
	// +required
	Name string `json:"name"`

	// Expression giving its value.
	// +required
	Expression string `json:"expression"`
}

// OIDCValidation is a CEL condition on a token's claims.
type OIDCValidation struct {
	// Expression that must be true.
	// +required
	Expression string `json:"expression"`

	// Message answered when it is false.
	// +required
	Message string `json:"message"`
}

// ReceiverStatus is what the controller observed of a Receiver.
type ReceiverStatus struct {
	meta.ReconcileRequestStatus `json:",inline"`

	// Conditions of the Receiver; Ready says whether it serves calls.
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// WebhookPath is the URL path the Receiver answers at:
	// /hook/<hex sha256 of token, name and namespace>.
	// +optional
	WebhookPath string `json:"webhookPath,omitempty"`

	// ObservedGeneration is the generation last reconciled.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
}

// +kubebuilder:storageversion
// +kubebuilder:object:root=true
// +kubebuilder:resource:categories=all;fluxcd;fluxcd-notifications
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp",description=""
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status",description=""
// +kubebuilder:printcolumn:name="Status",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].message",description=""
// +kubebuilder:metadata:annotations="kustomize.toolkit.fluxcd.io/substitute=disabled"

// Receiver is a webhook that asks Flux objects to reconcile now.
type Receiver struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec ReceiverSpec `json:"spec,omitempty"`
	// +kubebuilder:default:={"observedGeneration":-1}
	Status ReceiverStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ReceiverList is a list of Receivers.
type ReceiverList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Receiver `json:"items"`
}

// WebhookPathFor is the path the Receiver answers at with this token:
// /hook/ and the hex SHA-256 of token, name and namespace run together,
// as Flux computes it (so a webhook configured for Flux keeps working).
func (in *Receiver) WebhookPathFor(token string) string {
	sum := sha256.Sum256([]byte(token + in.Name + in.Namespace))
	return ReceiverWebhookPath + hex.EncodeToString(sum[:])
}

// GetInterval is spec.interval, 10 minutes when unset.
func (in *Receiver) GetInterval() time.Duration {
	if in.Spec.Interval != nil {
		return in.Spec.Interval.Duration
	}
	return 10 * time.Minute
}
