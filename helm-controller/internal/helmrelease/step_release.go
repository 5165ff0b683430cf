package helmrelease

import (
	"context"
	"errors"
	"fmt"

	"github.com/fluxcd/pkg/runtime/conditions"
	ctrl "sigs.k8s.io/controller-runtime"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/helm-controller/internal/release"
	"github.com/tidegitops/tide/skeleton"
)

const (
	// retriesExceededReason: the remediation's retries are used up (Flux's
	// Stalled reason); the user must change something, or ask for a reset.
	retriesExceededReason = "RetriesExceeded"
	// missingRollbackTargetReason: the release to roll back to is gone
	// from storage (Flux's Stalled reason).
	missingRollbackTargetReason = "MissingRollbackTarget"
)

var (
	errRetriesExceeded = errors.New("retries exhausted")
	errMissingTarget   = errors.New("missing rollback target")
)

// release brings the Helm release to the desired state, as Flux's atomic
// release does: it reads the release's state, runs the action that state
// calls for, and again, until the release is in sync or the reconciliation
// must stop. Each kind of action runs at most once per reconciliation,
// and a remediation ends it: the next one (at once) starts from what the
// remediation left.
func (r *Reconciler) release(ctx context.Context, s *scope) error {
	log := ctrl.LoggerFrom(ctx)
	ran := map[actionKind]bool{}
	for {
		state, why, err := s.determineState()
		if err != nil {
			return skeleton.Retry("StateError", err)
		}
		next, err := r.nextAction(s, state)
		switch {
		case errors.Is(err, errRetriesExceeded):
			return s.stall(retriesExceededReason)
		case errors.Is(err, errMissingTarget):
			return skeleton.Stall(missingRollbackTargetReason,
				"Failed to perform remediation: no previous release to roll back to is in storage: %s", s.summary().Message)
		case err != nil:
			return err
		}
		if next == nil {
			log.V(1).Info("release in sync", "state", why)
			if state == stateInSync {
				if err := r.checkDrift(ctx, s); err != nil {
					return err
				}
			}
			return s.outcome()
		}
		if ran[next.kind] || ran[kindRemediate] {
			// Run the rest in a new reconciliation, from a fresh state
			// (with the controller's backoff, as Flux requeues).
			return s.requeue(r.retryAfterFailure(s))
		}
		s.showAction(ctx, next)
		log.Info(fmt.Sprintf("running '%s' action with timeout of %s", next.name, next.timeout), "state", why)
		// An action is not cut short when the controller stops: Helm would
		// record the release failed though nothing failed, and the next
		// start would remediate it (roll back, or uninstall). Each action
		// is bounded by its own timeout, the process by
		// --graceful-shutdown-timeout.
		if err := next.run(context.WithoutCancel(ctx), s); err != nil {
			return err
		}
		ran[next.kind] = true
		if next.kind == kindRelease && s.lastReleaseFailed() {
			if retry := s.obj.GetActiveRetry(s.retryByDefault); retry != nil {
				// RetryOnFailure: no remediation, the action is tried
				// again after the retry interval.
				sum := s.summary()
				return skeleton.Wait(retry.GetRetryInterval(), sum.Reason, "%s", sum.Message)
			}
		}
		if next.kind == kindRemediate {
			if rem := s.obj.GetActiveRemediation(); rem != nil && rem.RetriesExhausted(s.obj) {
				return s.stall(retriesExceededReason)
			}
			return s.requeue(nil)
		}
	}
}

// nextAction picks the action state calls for, Flux's choices; nil when
// there is nothing to do.
func (r *Reconciler) nextAction(s *scope, state releaseState) (*helmAction, error) {
	obj := s.obj
	force := helmv2.ShouldHandleForceRequest(obj)
	pick := func(a helmAction) (*helmAction, error) { return &a, nil }
	switch state {
	case stateInSync:
		obj.Status.History.Truncate(s.ignoreTestFailures())
		if force {
			return pick(r.upgrade(obj))
		}
		return nil, nil
	case stateLocked:
		return pick(r.unlock())
	case stateAbsent:
		if obj.GetInstall().GetRemediation().RetriesExhausted(obj) && !force {
			return nil, errRetriesExceeded
		}
		return pick(r.install(obj))
	case stateUnmanaged:
		obj.Status.ClearHistory()
		return pick(r.upgrade(obj))
	case stateOutOfSync:
		if obj.GetUpgrade().GetRemediation().RetriesExhausted(obj) && !force {
			return nil, errRetriesExceeded
		}
		return pick(r.upgrade(obj))
	case stateUntested:
		return pick(r.test(obj))
	case stateFailed:
		rem := obj.GetActiveRemediation()
		if obj.GetActiveRetry(s.retryByDefault) != nil && obj.Status.LastAttemptedReleaseAction == helmv2.ReleaseActionInstall {
			return pick(r.upgradeAs(obj, helmv2.ReleaseActionInstall))
		}
		if rem == nil || rem.GetFailureCount(obj) <= 0 || force || obj.GetActiveRetry(s.retryByDefault) != nil {
			return pick(r.upgrade(obj))
		}
		if rem.RetriesExhausted(obj) && !rem.MustRemediateLastFailure() {
			return nil, errRetriesExceeded
		}
		ignore := rem.MustIgnoreTestFailures(obj.GetTest().IgnoreFailures)
		obj.Status.History.Truncate(ignore)
		if rem.GetStrategy() == helmv2.UninstallRemediationStrategy {
			return pick(r.uninstallRemediation(obj))
		}
		prev := obj.Status.History.Previous(ignore)
		if prev == nil {
			return nil, errMissingTarget
		}
		if _, err := release.Get(s.cfg, prev.Name, prev.Version); errors.Is(err, release.ErrNotFound) {
			return nil, errMissingTarget
		} else if err != nil {
			return nil, skeleton.Retry("StateError", err)
		}
		return pick(r.rollback(obj, prev))
	}
	return nil, fmt.Errorf("unknown release state %d", state)
}

// ignoreTestFailures tells whether failed tests leave the release Ready.
func (s *scope) ignoreTestFailures() bool {
	ignore := s.obj.GetTest().IgnoreFailures
	if rem := s.obj.GetActiveRemediation(); rem != nil {
		ignore = rem.MustIgnoreTestFailures(ignore)
	}
	return ignore
}

// lastReleaseFailed tells whether the install or upgrade just run failed.
func (s *scope) lastReleaseFailed() bool {
	return conditions.IsFalse(s.obj, helmv2.ReleasedCondition)
}

// retryAfterFailure is nil, or the wait of RetryOnFailure.
func (r *Reconciler) retryAfterFailure(s *scope) *retryWait {
	if retry := s.obj.GetActiveRetry(s.retryByDefault); retry != nil && s.lastReleaseFailed() {
		return &retryWait{after: retry.GetRetryInterval()}
	}
	return nil
}
