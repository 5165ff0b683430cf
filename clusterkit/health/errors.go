package health

import (
	"fmt"
	"strings"

	"github.com/tidegitops/tide/clusterkit/inventory"
)

// UnhealthyError lists the objects that were not Current when the wait
// ended. TimedOut is true when it ended because the timeout passed, false
// when there was no time to wait (Options.Timeout <= 0).
type UnhealthyError struct {
	Results  []Result
	TimedOut bool
}

func (e *UnhealthyError) Error() string {
	prefix := "not healthy"
	if e.TimedOut {
		prefix = "timeout waiting for"
	}
	return prefix + ": [" + joinResults(e.Results) + "]"
}

// FailedError lists the objects whose status is Failed: waiting longer
// would not help, a user has to look.
type FailedError struct {
	Results []Result
}

func (e *FailedError) Error() string {
	parts := make([]string, 0, len(e.Results))
	for _, r := range e.Results {
		msg := r.Message
		if msg == "" {
			msg = "status is Failed"
		}
		parts = append(parts, fmt.Sprintf("%s failed: %s (see `%s`)", r.Ref, msg, describeCommand(r.Ref)))
	}
	return strings.Join(parts, "; ")
}

// AbortedError says the wait stopped because Options.Abort gave a reason,
// such as a newer source revision to apply.
type AbortedError struct {
	Reason string
}

func (e *AbortedError) Error() string {
	return "health check aborted: " + e.Reason
}

// InvalidExprError is a healthCheckExprs expression that does not compile.
// It is the user's to fix: retrying will not help.
type InvalidExprError struct {
	APIVersion, Kind string
	// Field is failed, current or inProgress.
	Field string
	Expr  string
	Err   error
}

func (e *InvalidExprError) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "(every kind)"
	}
	return fmt.Sprintf("invalid healthCheckExprs entry for %s %s: %s expression %q: %v",
		e.APIVersion, kind, e.Field, e.Expr, e.Err)
}

func (e *InvalidExprError) Unwrap() error { return e.Err }

func joinResults(results []Result) string {
	parts := make([]string, 0, len(results))
	for _, r := range results {
		parts = append(parts, r.String())
	}
	return strings.Join(parts, ", ")
}

// describeCommand is the kubectl command that shows an object's events and
// conditions, which is where a failed rollout says why.
func describeCommand(ref inventory.ObjectRef) string {
	resource := strings.ToLower(ref.Kind)
	if ref.Group != "" {
		resource += "." + ref.Group
	}
	if ref.Namespace == "" {
		return fmt.Sprintf("kubectl describe %s %s", resource, ref.Name)
	}
	return fmt.Sprintf("kubectl -n %s describe %s %s", ref.Namespace, resource, ref.Name)
}
