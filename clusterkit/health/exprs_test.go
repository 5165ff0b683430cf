package health_test

import (
	"context"
	"errors"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/health"
	"github.com/tidegitops/tide/clusterkit/inventory"
	"github.com/tidegitops/tide/testkit"
)

func widgetExprs(current, failed string) []kustomizev1.CustomHealthCheck {
	return []kustomizev1.CustomHealthCheck{{
		APIVersion: widgetAPIVersion, Kind: "Widget",
		HealthCheckExpressions: kustomizev1.HealthCheckExpressions{Current: current, Failed: failed},
	}}
}

// kindless is an entry for every kind of the Widget's apiVersion.
func kindless(current, failed string) []kustomizev1.CustomHealthCheck {
	exprs := widgetExprs(current, failed)
	exprs[0].Kind = ""
	return exprs
}

// A Widget's health is read from healthCheckExprs while Wait polls: it
// starts Pending, then its controller moves it on (or not).
func TestWaitExprs(t *testing.T) {
	ensureWidgetCRD(t)
	tide := widgetExprs("self.status.phase == 'Ready'", "self.status.phase == 'Failed'")
	// Flux's expressions name the top-level fields directly.
	flux := widgetExprs("status.phase == 'Ready'", "status.phase == 'Failed'")
	tests := []struct {
		name    string
		exprs   []kustomizev1.CustomHealthCheck
		phase   string // written once Wait has seen Pending; "" leaves it Pending
		timeout time.Duration
		// wantStatus is "" for a nil error, else the status of the listed Widget.
		wantStatus string
		wantMsg    string
	}{
		{name: "current expression becomes true", exprs: tide, phase: "Ready", timeout: 20 * time.Second},
		{name: "Flux-style current expression becomes true", exprs: flux, phase: "Ready", timeout: 20 * time.Second},
		{
			name: "failed expression becomes true", exprs: tide, phase: "Failed", timeout: 20 * time.Second,
			wantStatus: health.Failed,
			wantMsg:    `failed: failed expression "self.status.phase == 'Failed'" is true: widget is Failed`,
		},
		{
			name: "Flux-style failed expression becomes true", exprs: flux, phase: "Failed", timeout: 20 * time.Second,
			wantStatus: health.Failed,
			wantMsg:    `failed: failed expression "status.phase == 'Failed'" is true`,
		},
		{
			// Flux 2.8: an entry without a kind covers every kind of its apiVersion.
			name: "kind-less entry covers the Widget", exprs: kindless("status.phase == 'Ready'", "status.phase == 'Failed'"),
			phase: "Failed", timeout: 20 * time.Second,
			wantStatus: health.Failed,
			wantMsg:    `failed: failed expression "status.phase == 'Failed'" is true`,
		},
		{
			name:  "an entry naming the kind wins over a kind-less one",
			exprs: append(kindless("false", "true"), widgetExprs("status.phase == 'Ready'", "")...),
			phase: "Ready", timeout: 20 * time.Second,
		},
		{
			name: "neither expression becomes true", exprs: tide, timeout: 2 * time.Second,
			wantStatus: health.InProgress,
			wantMsg:    `status: 'InProgress': waiting for current expression "self.status.phase == 'Ready'"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, cp.Client)
			createWidget(t, ns, "w", "Pending")
			w := startWait(context.Background(), []inventory.ObjectRef{widgetRef(ns, "w")},
				health.Options{Timeout: tt.timeout, Exprs: tt.exprs}, nil)
			w.seenUnhealthy(t)
			if tt.phase != "" {
				setPhase(t, ns, "w", tt.phase)
			}

			err, elapsed := w.result(t)
			switch tt.wantStatus {
			case "":
				g.Expect(err).NotTo(HaveOccurred())
			case health.Failed:
				var failed *health.FailedError
				g.Expect(errors.As(err, &failed)).To(BeTrue(), "want a FailedError, got %v", err)
				g.Expect(elapsed).To(BeNumerically("<", tt.timeout/4))
				g.Expect(failed.Results).To(HaveLen(1))
			default:
				var unhealthy *health.UnhealthyError
				g.Expect(errors.As(err, &unhealthy)).To(BeTrue(), "want an UnhealthyError, got %v", err)
				g.Expect(unhealthy.Results).To(HaveLen(1))
				g.Expect(unhealthy.Results[0].Status).To(Equal(tt.wantStatus))
			}
			if tt.wantMsg != "" {
				g.Expect(err.Error()).To(ContainSubstring(tt.wantMsg))
			}
		})
	}
}

// Expressions are user input: a mistake is reported at once, naming the
// kind and the expression, before anything is read.
func TestWaitInvalidExprs(t *testing.T) {
	tests := []struct {
		name      string
		exprs     []kustomizev1.CustomHealthCheck
		wantField string
		wantMsg   string
	}{
		{
			name:      "syntax error",
			exprs:     widgetExprs("self.status.phase == 'Ready'", "self.status.phase =="),
			wantField: "failed",
			wantMsg:   `invalid healthCheckExprs entry for health.test.tide.dev/v1 Widget: failed expression "self.status.phase ==": 1:`,
		},
		{
			name:      "not a bool",
			exprs:     widgetExprs("'Ready'", ""),
			wantField: "current",
			wantMsg:   "must evaluate to a bool, not string",
		},
		{
			name:      "unknown variable",
			exprs:     widgetExprs("object.status.phase == 'Ready'", ""),
			wantField: "current",
			wantMsg:   "undeclared reference to 'object'",
		},
		{
			name:      "missing current",
			exprs:     widgetExprs("", "self.status.phase == 'Failed'"),
			wantField: "current",
			wantMsg:   `current expression "": it is required`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			// Nothing is read: the Widget need not exist, nor its kind.
			refs := []inventory.ObjectRef{widgetRef("default", "none")}
			err := newChecker().Wait(context.Background(), refs, health.Options{Timeout: time.Minute, Exprs: tt.exprs})
			var invalid *health.InvalidExprError
			g.Expect(errors.As(err, &invalid)).To(BeTrue(), "want an InvalidExprError, got %v", err)
			g.Expect(invalid.Kind).To(Equal("Widget"))
			g.Expect(invalid.Field).To(Equal(tt.wantField))
			g.Expect(err.Error()).To(ContainSubstring(tt.wantMsg))
			g.Expect(err.Error()).NotTo(ContainSubstring("\n"), "a condition message is one line")
		})
	}
}

// A KindRule reads the objects of its kind in place of kstatus (which
// calls any Widget Current: it has no conditions); an Exprs entry for the
// kind still comes first.
func TestWaitKindRules(t *testing.T) {
	ensureWidgetCRD(t)
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	createWidget(t, ns, "w", "Pending")
	refs := []inventory.ObjectRef{widgetRef(ns, "w")}
	widgetKind := schema.GroupKind{Group: widgetGroup, Kind: "Widget"}
	byPhase := map[schema.GroupKind]health.KindRule{widgetKind: func(obj *unstructured.Unstructured) (string, string) {
		phase, _, _ := unstructured.NestedString(obj.Object, "status", "phase")
		switch phase {
		case "Done":
			return health.Current, "widget is done"
		case "Broken":
			return health.Failed, "widget broke"
		}
		return health.InProgress, "widget is " + phase
	}}

	err := newChecker().Wait(context.Background(), refs, health.Options{KindRules: byPhase})
	g.Expect(err).To(MatchError(ContainSubstring("status: 'InProgress': widget is Pending")))

	w := startWait(context.Background(), refs, health.Options{Timeout: 20 * time.Second, KindRules: byPhase}, nil)
	w.seenUnhealthy(t)
	setPhase(t, ns, "w", "Broken")
	err, _ = w.result(t)
	g.Expect(err).To(MatchError(ContainSubstring("failed: widget broke")))

	// healthCheckExprs of the kind win over the rule.
	setPhase(t, ns, "w", "Ready")
	err = newChecker().Wait(context.Background(), refs, health.Options{KindRules: byPhase,
		Exprs: widgetExprs("status.phase == 'Ready'", "")})
	g.Expect(err).NotTo(HaveOccurred())
}
