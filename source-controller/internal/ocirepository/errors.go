package ocirepository

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"strings"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/skeleton"
)

// registryError turns a registry failure into what the user sees, with
// Flux's reasons: OCIArtifactPullFailed for reaching the artifact,
// OCIArtifactLayerOperationFailed for its layer. What only a push or a
// change to the Secrets fixes (a missing tag, refused credentials, a bad
// layer) is retried at the interval, since the fix may not touch the object;
// network and TLS trouble is retried with backoff.
func (r *Reconciler) registryError(s *scope, err error, doing string) error {
	interval := s.obj.GetRequeueAfter()
	msg := "failed to " + doing + ": " + err.Error()
	switch {
	case errors.Is(err, ociartifact.ErrInvalidURL):
		return skeleton.Stall(sourcev1.URLInvalidReason, "%s", msg)
	case errors.Is(err, ociartifact.ErrNotFound):
		return skeleton.Wait(interval, sourcev1.OCIPullFailedReason, "%s: push it, or fix spec.url and spec.ref", msg)
	case errors.Is(err, ociartifact.ErrUnauthorized):
		return skeleton.Wait(interval, sourcev1.OCIPullFailedReason,
			"%s (spec.secretRef%s)", msg, proxyHint(s))
	case errors.Is(err, ociartifact.ErrUnsupportedManifest):
		return skeleton.Wait(interval, sourcev1.OCIPullFailedReason, "%s", msg)
	case errors.Is(err, ociartifact.ErrLayerNotFound), errors.Is(err, ociartifact.ErrTooLarge),
		errors.Is(err, ociartifact.ErrUnsafeArchive), errors.Is(err, ociartifact.ErrInvalidArchive):
		return skeleton.Wait(interval, sourcev1.OCILayerOperationFailedReason, "%s", msg)
	case isTLSError(err):
		return skeleton.Retryf(sourcev1.OCIPullFailedReason,
			"%s: the TLS handshake failed: put the registry's CA in the ca.crt of spec.certSecretRef (and a client certificate in its tls.crt and tls.key if the registry wants one), or fix the registry's certificate", msg)
	default:
		return skeleton.Retryf(sourcev1.OCIPullFailedReason,
			"%s: check spec.url and that the registry is reachable from the controller", msg)
	}
}

func proxyHint(s *scope) string {
	if s.obj.Spec.ProxySecretRef != nil {
		return ", and the proxy's in spec.proxySecretRef"
	}
	return ""
}

// isTLSError reports a failed certificate check, by the client or, for a
// client certificate, by the server.
func isTLSError(err error) bool {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	if errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &alert) {
		return true
	}
	// The registry client's first request (its ping) joins the failures of
	// its HTTPS and plain-HTTP tries into one message, without their types.
	msg := err.Error()
	return strings.Contains(msg, "x509: ") || strings.Contains(msg, "tls: ")
}
