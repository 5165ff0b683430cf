package health

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/inventory"
)

// The status names a Result can carry, as kstatus spells them.
var (
	Current     = status.CurrentStatus.String()
	InProgress  = status.InProgressStatus.String()
	Failed      = status.FailedStatus.String()
	NotFound    = status.NotFoundStatus.String()
	Terminating = status.TerminatingStatus.String()
	Unknown     = status.UnknownStatus.String()
)

// Result is the health of one object at one moment.
type Result struct {
	Ref inventory.ObjectRef
	// Status is a kstatus status name: Current, InProgress, Failed,
	// Terminating, NotFound or Unknown (the object could not be read).
	Status string
	// Message says why, in words for a condition message.
	Message string
}

// String reads "Deployment/ns/app status: 'InProgress': Ready: 0/1".
func (r Result) String() string {
	s := fmt.Sprintf("%s status: '%s'", r.Ref, r.Status)
	if r.Message != "" {
		s += ": " + r.Message
	}
	return s
}

// Evaluate returns the health of obj: by the CEL expressions of the first
// entry of exprs whose apiVersion and kind match the object's, else by
// kstatus. The error reports expressions that do not compile; it is an
// *InvalidExprError.
func Evaluate(obj *unstructured.Unstructured, exprs []kustomizev1.CustomHealthCheck) (Result, error) {
	rules, err := compile(exprs)
	if err != nil {
		return Result{}, err
	}
	return rules.evaluate(inventory.RefOf(obj), obj), nil
}

// kstatusOf computes an object's status the way kstatus does: the generic
// rules (observedGeneration, Reconciling and Stalled conditions), the rules
// of the built-in kinds (a Deployment past its progress deadline is Failed),
// a Ready condition, and otherwise Current: a kind with no status to speak
// of, such as a ConfigMap, is healthy once it exists.
func kstatusOf(ref inventory.ObjectRef, obj *unstructured.Unstructured) Result {
	res, err := status.Compute(obj)
	if err != nil {
		return Result{Ref: ref, Status: Unknown, Message: fmt.Sprintf("cannot compute status: %v", err)}
	}
	msg := res.Message
	if res.Status == status.FailedStatus {
		// The condition behind a failure says more than kstatus' summary
		// ("Progress deadline exceeded"): keep both.
		for _, c := range res.Conditions {
			if c.Message != "" && !strings.Contains(msg, c.Message) {
				msg = joinMessage(msg, c.Message)
			}
		}
	}
	return Result{Ref: ref, Status: res.Status.String(), Message: msg}
}

func joinMessage(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ": " + b
}
