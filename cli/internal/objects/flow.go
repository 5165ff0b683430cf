package objects

import (
	"context"
	"fmt"
	"time"

	"github.com/tidegitops/tide/cli/internal/output"
)

// DefaultTimeout bounds every wait for a controller.
const DefaultTimeout = 5 * time.Minute

// Reconcile asks the controller to reconcile k/name now, waits with a
// spinner until it has, and reports the revision it fetched or applied.
// A suspended object is an error that says how to resume it; a static one
// (a HelmRepository of type oci) is reported and left alone, as flux does.
// also are more annotations set to the request's token (flux's forceAt and
// resetAt of a HelmRelease).
func (s *Session) Reconcile(ctx context.Context, log *output.Printer, k *Kind, name string, timeout time.Duration, also ...string) error {
	obj, err := s.Get(ctx, k, name)
	if err != nil {
		return err
	}
	if k.IsStatic(obj) {
		// As flux: not an error, so scripts that reconcile every source go on.
		hint := "; reconcile the HelmCharts that use it"
		if k.StaticWhy != "" {
			hint = ""
		}
		log.Success("reconciliation not supported by the object: %s %s is static %s%s", k.Kind, name, k.StaticReason(), hint)
		return nil
	}
	if Suspended(obj) {
		return fmt.Errorf("%s '%s' is suspended: resume it with 'tide resume %s %s -n %s'", k.Noun, name, k.Noun, name, s.Namespace)
	}
	log.Info("annotating %s %s in %s namespace", k.Kind, name, s.Namespace)
	token, err := s.RequestReconcile(ctx, obj, false, also...)
	if err != nil {
		return err
	}
	log.Success("%s annotated", k.Kind)
	return s.WaitAndReport(ctx, log, k, obj, token, timeout)
}

// Resume sets spec.suspend to false and requests a reconcile in one patch,
// then waits for it as Reconcile does.
func (s *Session) Resume(ctx context.Context, log *output.Printer, k *Kind, obj Object, timeout time.Duration) error {
	log.Info("resuming %s %s in %s namespace", k.Noun, obj.GetName(), s.Namespace)
	token, err := s.RequestReconcile(ctx, obj, true)
	if err != nil {
		return err
	}
	log.Success("%s resumed", k.Noun)
	return s.WaitAndReport(ctx, log, k, obj, token, timeout)
}

// WaitAndReport waits (with a spinner) for the controller to handle token,
// or, when token is empty, to observe obj's generation; then it prints the
// revision or returns the Ready message as the error.
func (s *Session) WaitAndReport(ctx context.Context, log *output.Printer, k *Kind, obj Object, token string, timeout time.Duration) error {
	if k.IsStatic(obj) {
		log.Success("%s is static %s: nothing to wait for", k.Kind, k.StaticReason())
		return nil
	}
	stop := log.Spinner(fmt.Sprintf("waiting for %s reconciliation", k.Kind))
	var err error
	if token != "" {
		obj, err = s.WaitForReconcile(ctx, k, obj, token, timeout)
	} else {
		obj, err = s.WaitForReady(ctx, k, obj, timeout)
	}
	stop()
	if err != nil {
		return err
	}
	log.Success("%s reconciliation completed", k.Kind)
	if k.Report != nil {
		log.Success("%s", k.Report(obj))
		return nil
	}
	if k == Receiver {
		log.Success("%s %s", k.Done, Revision(obj))
		return nil
	}
	log.Success("%s revision %s", k.Done, Revision(obj))
	return nil
}
