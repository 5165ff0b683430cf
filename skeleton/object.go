package skeleton

import (
	"time"

	"github.com/fluxcd/pkg/runtime/conditions"
)

// Object is what the skeleton needs of a Tide kind. Every type in Tide's api
// module implements it.
type Object interface {
	conditions.Setter

	// GetRequeueAfter is the interval between successful reconciliations.
	GetRequeueAfter() time.Duration
	// IsSuspended reports spec.suspend.
	IsSuspended() bool

	GetObservedGeneration() int64
	SetObservedGeneration(generation int64)
	GetLastHandledReconcileRequest() string
	SetLastHandledReconcileRequest(token string)
}
