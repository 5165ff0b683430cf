package helmrelease

import (
	"context"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/internal/drift"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/skeleton"
)

// Flux's event reasons for drift.
const (
	driftDetectedReason         = "DriftDetected"
	driftCorrectedReason        = "DriftCorrected"
	driftCorrectionFailedReason = "DriftCorrectionFailed"
)

// checkDrift compares the release in sync with the spec with the cluster,
// when spec.driftDetection.mode is enabled or warn, as Flux does: drift
// is a Warning event and a log line; with enabled, the objects removed
// are created again and those changed patched back, without a Helm
// upgrade, and the outcome is another event. A correction that fails
// leaves the HelmRelease not Ready, and it is tried again.
func (r *Reconciler) checkDrift(ctx context.Context, s *scope) error {
	dd := s.obj.GetDriftDetection()
	if !dd.MustDetectChanges() {
		return nil
	}
	if err := drift.CheckIgnore(dd.Ignore); err != nil {
		return skeleton.Stall(invalidSpecReason, "%s: fix it", err)
	}
	log := ctrl.LoggerFrom(ctx)
	cur := s.obj.Status.History.Latest()
	rel, err := release.Last(s.cfg, s.target.Name)
	if err != nil {
		return skeleton.Retry("StateError", fmt.Errorf("unable to determine cluster state: %w", err))
	}
	c, err := clientFor(s.cfg.RESTClientGetter)
	if err != nil {
		return skeleton.Retry("StateError", fmt.Errorf("unable to determine cluster state: %w", err))
	}
	mapper, _ := s.cfg.RESTClientGetter.ToRESTMapper()
	objs, err := drift.Objects(rel.Manifest, rel.Name, rel.Namespace, mapper)
	if err != nil {
		return skeleton.Retry("StateError", fmt.Errorf("unable to determine cluster state: %w", err))
	}
	report, err := drift.Detect(ctx, c, objs, drift.FieldManager(), dd.Ignore)
	if err != nil {
		if !report.HasChanges() {
			return skeleton.Retry("StateError", fmt.Errorf("unable to determine cluster state: %w", err))
		}
		log.Error(err, "diff of release against cluster state completed with error")
	}
	if !report.HasChanges() {
		return nil
	}
	full := fmt.Sprintf("%s/%s.v%d", rel.Namespace, rel.Name, rel.Version)
	log.Info("detected changes in cluster state: " + report.Brief())
	r.event(s.obj, nil, true, driftDetectedReason,
		fmt.Sprintf("Cluster state of release %s has drifted from the desired state:\n%s", full, report.Summary()))
	if dd.GetMode() != helmv2.DriftDetectionEnabled {
		return nil
	}
	corrected, err := drift.Correct(ctx, c, report, drift.FieldManager())
	if err != nil {
		var msg strings.Builder
		msg.WriteString("Failed to ")
		if len(corrected) > 0 {
			msg.WriteString("partially ")
		}
		fmt.Fprintf(&msg, "correct cluster state of release %s:\n%s", full, err)
		if len(corrected) > 0 {
			fmt.Fprintf(&msg, "\n\nSuccessful corrections:\n%s", strings.Join(corrected, "\n"))
		}
		r.event(s.obj, cur, true, driftCorrectionFailedReason, msg.String())
		return skeleton.Retryf(driftCorrectionFailedReason, "%s", msg.String())
	}
	log.Info("corrected cluster state", "objects", corrected)
	r.event(s.obj, cur, false, driftCorrectedReason,
		fmt.Sprintf("Cluster state of release %s has been corrected:\n%s", full, strings.Join(corrected, "\n")))
	return nil
}

// clientFor is a client of the release's cluster, as the release's
// identity, sharing its REST mapper.
func clientFor(getter interface {
	ToRESTConfig() (*rest.Config, error)
	ToRESTMapper() (meta.RESTMapper, error)
}) (client.Client, error) {
	cfg, err := getter.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	mapper, err := getter.ToRESTMapper()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Mapper: mapper})
}
