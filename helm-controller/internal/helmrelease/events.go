package helmrelease

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
)

// Metadata keys of the events, Flux's: <group>/revision is the chart
// version, <group>/token the config digest.
var (
	metaRevision   = helmv2.GroupVersion.Group + "/revision"
	metaToken      = helmv2.GroupVersion.Group + "/token"
	metaAppVersion = helmv2.GroupVersion.Group + "/app-version"
	metaOCIDigest  = helmv2.GroupVersion.Group + "/oci-digest"
)

// event records one Helm action's outcome, with the release's chart
// version, config digest, app version and OCI digest as metadata, as Flux
// does. The message is the condition's; Helm's errors hold no values.
func (r *Reconciler) event(obj *helmv2.HelmRelease, snap *helmv2.Snapshot, warning bool, reason, message string) {
	eventType := corev1.EventTypeNormal
	if warning {
		eventType = corev1.EventTypeWarning
	}
	var annotations map[string]string
	if snap != nil {
		annotations = map[string]string{}
		add := func(k, v string) {
			if v != "" {
				annotations[k] = v
			}
		}
		add(metaRevision, snap.ChartVersion)
		add(metaToken, snap.ConfigDigest)
		add(metaAppVersion, snap.AppVersion)
		add(metaOCIDigest, snap.OCIDigest)
	}
	r.Skeleton.Events.AnnotatedEventf(obj, nil, annotations, eventType, reason, actionOf(reason), "%s", message)
}

// attempted describes the release an install or upgrade tried to make, for
// its failure event: Flux's carries the chart version, values digest, app
// version and OCI digest of the attempt, not of the last release stored
// (which, when Helm stored nothing, is the previous one).
func (s *scope) attempted() *helmv2.Snapshot {
	snap := &helmv2.Snapshot{ChartVersion: s.chartVersion(), ConfigDigest: s.configDigest, OCIDigest: s.ociDigest}
	if s.chart != nil && s.chart.Metadata != nil {
		snap.AppVersion = s.chart.Metadata.AppVersion
	}
	return snap
}

// actionOf names the event's action after its reason (HelmInstall, ...).
func actionOf(reason string) string {
	for _, a := range []struct{ prefix, action string }{
		{"Install", string(helmv2.ActionHelmInstall)},
		{"Upgrade", string(helmv2.ActionHelmUpgrade)},
		{"Test", string(helmv2.ActionHelmTest)},
		{"Rollback", string(helmv2.ActionHelmRollback)},
		{"Uninstall", string(helmv2.ActionHelmUninstall)},
	} {
		if strings.HasPrefix(reason, a.prefix) {
			return a.action
		}
	}
	return string(helmv2.ActionReconcile)
}
