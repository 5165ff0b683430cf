package kustomization

import (
	"fmt"
	"strings"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/build"
	"github.com/tidegitops/tide/kustomize-controller/internal/drift"
	"github.com/tidegitops/tide/kustomize-controller/internal/ssa"
	"github.com/tidegitops/tide/skeleton"
)

// scope carries what one reconciliation learned from step to step.
type scope struct {
	obj   *kustomizev1.Kustomization
	start time.Time

	// artifact is the source's current artifact (source step).
	artifact meta.Artifact
	// root is the unpacked artifact, shared read-only (fetch step).
	root    string
	release func()
	// objects are the built, substituted objects (build step).
	objects []*unstructured.Unstructured
	// buildDigest identifies the built objects in status.history.
	buildDigest string
	// cluster applies, prunes and checks health (apply step).
	cluster client.Client
	manager *ssa.Manager
	// ignore is spec.ignore, compiled (spec step).
	ignore *build.Ignore
	// applied is the inventory of this build (apply step).
	applied *kustomizev1.ResourceInventory
	// skipped are the inventory IDs of the objects the apply left alone
	// (ssa: Ignore or IfNotPresent, reconcile: disabled): not health-checked.
	skipped map[string]bool
	// changes are what apply and prune changed, one line per object.
	changes []string
	// unchanged: the apply was skipped, the build being what the last full
	// check applied (drift.go); quiet: and of the same revision, so there
	// is nothing new to record in status.history.
	unchanged, quiet bool
	// recheck are the inventory ids the safety check found changed since
	// recheckOf, the last full check (drift.go): when the build is that
	// check's, only they are dry-run and applied.
	recheck   map[string]bool
	recheckOf drift.Check
}

func (s *scope) success() skeleton.Success {
	return skeleton.Success{
		Reason:  kustomizev1.ReconciliationSucceededReason,
		Message: fmt.Sprintf("Applied revision: %s", s.artifact.Revision),
	}
}

func (s *scope) changeList() string { return strings.Join(s.changes, "\n") }

func (s *scope) cleanup() {
	if s.release != nil {
		s.release()
	}
}

// ownerLabels mark every applied object as this Kustomization's; prune
// deletes only objects that still carry them.
func ownerLabels(obj *kustomizev1.Kustomization) map[string]string {
	return build.OwnerLabels(obj)
}

// retryLater is the outcome of a failure the user must fix in the source or
// the cluster: Ready=False with reason, checked again after the
// Kustomization's retry interval (or at once when the source changes).
func retryLater(obj *kustomizev1.Kustomization, reason, format string, args ...any) error {
	return skeleton.Wait(obj.GetRetryInterval(), reason, format, args...)
}
