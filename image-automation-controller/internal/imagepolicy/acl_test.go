package imagepolicy

import (
	"context"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/skeleton"
)

// TestNoCrossNamespaceRefs: with --no-cross-namespace-refs a repository of
// another namespace is refused before it is even read, and the policy
// stalls saying where to put one; one of its own namespace is fine.
func TestNoCrossNamespaceRefs(t *testing.T) {
	r := &Reconciler{NoCrossNamespaceRefs: true}
	p := &imagev1.ImagePolicy{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "apps"}}

	err := r.admitted(context.Background(), p, types.NamespacedName{Namespace: "images", Name: "app"}, nil, true)
	var stalled *skeleton.StalledError
	if !errors.As(err, &stalled) || stalled.Reason != AccessDeniedReason ||
		!strings.Contains(stalled.Message, "cross-namespace references are disabled on this controller (--no-cross-namespace-refs)") {
		t.Fatalf("got %v, want a stall with reason AccessDenied", err)
	}
	if err := r.admitted(context.Background(), p, types.NamespacedName{Namespace: "apps", Name: "app"}, nil, true); err != nil {
		t.Errorf("same namespace refused: %v", err)
	}
}
