package v1

import "github.com/fluxcd/pkg/apis/meta"

// Signature providers accepted in spec.verify.provider of OCIRepository and
// HelmChart.
const (
	VerificationProviderCosign   = "cosign"
	VerificationProviderNotation = "notation"
)

// OCIRepositoryVerification asks for the signature of the pulled OCI
// artifact to be checked before it becomes the artifact.
type OCIRepositoryVerification struct {
	// Provider is the signing technology: 'cosign' (the default) or
	// 'notation'.
	// +kubebuilder:validation:Enum=cosign;notation
	// +kubebuilder:default:=cosign
	Provider string `json:"provider"`

	// SecretRef names a Secret in the same namespace holding the trusted
	// public keys (cosign) or certificates and trust policy (notation).
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// MatchOIDCIdentity lists the issuer/subject patterns accepted for
	// keyless (Fulcio) cosign signatures; one match is enough.
	// +optional
	MatchOIDCIdentity []OIDCIdentityMatch `json:"matchOIDCIdentity,omitempty"`

	// TrustedRootSecretRef names a Secret with a 'trusted_root.json' key,
	// for keyless verification against a private Sigstore deployment.
	// +optional
	TrustedRootSecretRef *meta.LocalObjectReference `json:"trustedRootSecretRef,omitempty"`
}

// HelmChartVerification asks for the signature of a chart pulled from an
// OCI HelmRepository to be checked. It has no trustedRootSecretRef, as in
// Flux.
type HelmChartVerification struct {
	// Provider is the signing technology: 'cosign' (the default) or
	// 'notation'.
	// +kubebuilder:validation:Enum=cosign;notation
	// +kubebuilder:default:=cosign
	Provider string `json:"provider"`

	// SecretRef names a Secret in the same namespace holding the trusted
	// public keys (cosign) or certificates and trust policy (notation).
	// +optional
	SecretRef *meta.LocalObjectReference `json:"secretRef,omitempty"`

	// MatchOIDCIdentity lists the issuer/subject patterns accepted for
	// keyless (Fulcio) cosign signatures; one match is enough.
	// +optional
	MatchOIDCIdentity []OIDCIdentityMatch `json:"matchOIDCIdentity,omitempty"`
}

// OIDCIdentityMatch is one accepted identity of a keyless signature: both
// regular expressions (Go syntax) must match the certificate.
type OIDCIdentityMatch struct {
	// Issuer is a pattern for the OIDC issuer in the certificate.
	// +required
	Issuer string `json:"issuer"`

	// Subject is a pattern for the identity subject in the certificate.
	// +required
	Subject string `json:"subject"`
}
