package health_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/tidegitops/tide/clusterkit/health"
	"github.com/tidegitops/tide/clusterkit/inventory"
	"github.com/tidegitops/tide/testkit"
)

// What Wait returns for the objects a Kustomization applied, as they are
// when the wait begins.
func TestWait(t *testing.T) {
	tests := []struct {
		name    string
		objects func(t *testing.T, ns string) []inventory.ObjectRef
		timeout time.Duration
		// wantErr is "" (healthy), "timeout" or "failed".
		wantErr string
		// wantListed are the objects the error lists, with their status.
		wantListed map[string]string
		wantMsg    []string
	}{
		{
			name: "rolled out Deployment is healthy",
			objects: func(t *testing.T, ns string) []inventory.ObjectRef {
				dep := createDeployment(t, ns, "app")
				setStatus(t, dep, rolledOut(dep.Generation))
				return []inventory.ObjectRef{deploymentRef(ns, "app")}
			},
			timeout: 10 * time.Second,
		},
		{
			name: "ConfigMap is healthy once it exists",
			objects: func(t *testing.T, ns string) []inventory.ObjectRef {
				createConfigMap(t, ns, "settings")
				return []inventory.ObjectRef{configMapRef(ns, "settings")}
			},
			timeout: 10 * time.Second,
		},
		{
			name: "Deployment that never progresses times out",
			objects: func(t *testing.T, ns string) []inventory.ObjectRef {
				createDeployment(t, ns, "stuck")
				return []inventory.ObjectRef{deploymentRef(ns, "stuck")}
			},
			timeout:    2 * time.Second,
			wantErr:    "timeout",
			wantListed: map[string]string{"stuck": health.InProgress},
			wantMsg:    []string{"timeout waiting for: [Deployment/", "/stuck status: 'InProgress': Replicas: 0/1]"},
		},
		{
			name: "missing object is listed as NotFound, healthy ones are not listed",
			objects: func(t *testing.T, ns string) []inventory.ObjectRef {
				createConfigMap(t, ns, "settings")
				return []inventory.ObjectRef{configMapRef(ns, "settings"), deploymentRef(ns, "gone")}
			},
			timeout:    2 * time.Second,
			wantErr:    "timeout",
			wantListed: map[string]string{"gone": health.NotFound},
			wantMsg:    []string{"/gone status: 'NotFound'"},
		},
		{
			name: "Deployment past its progress deadline fails without waiting",
			objects: func(t *testing.T, ns string) []inventory.ObjectRef {
				createConfigMap(t, ns, "settings")
				dep := createDeployment(t, ns, "broken")
				setStatus(t, dep, pastDeadline(dep.Generation))
				return []inventory.ObjectRef{configMapRef(ns, "settings"), deploymentRef(ns, "broken")}
			},
			timeout:    20 * time.Second,
			wantErr:    "failed",
			wantListed: map[string]string{"broken": health.Failed},
			wantMsg: []string{
				"/broken failed: Progress deadline exceeded: ReplicaSet \"app-5d4f\" has timed out progressing.",
				"describe deployment.apps broken`",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, cp.Client)
			refs := tt.objects(t, ns)

			start := time.Now()
			err := newChecker().Wait(context.Background(), refs, health.Options{Timeout: tt.timeout})
			elapsed := time.Since(start)

			var results []health.Result
			switch tt.wantErr {
			case "":
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(elapsed).To(BeNumerically("<", tt.timeout))
				return
			case "timeout":
				var unhealthy *health.UnhealthyError
				g.Expect(errors.As(err, &unhealthy)).To(BeTrue(), "want an UnhealthyError, got %v", err)
				g.Expect(unhealthy.TimedOut).To(BeTrue())
				g.Expect(elapsed).To(BeNumerically(">=", tt.timeout))
				results = unhealthy.Results
			case "failed":
				var failed *health.FailedError
				g.Expect(errors.As(err, &failed)).To(BeTrue(), "want a FailedError, got %v", err)
				g.Expect(elapsed).To(BeNumerically("<", tt.timeout/4), "a failed rollout must not wait for the timeout")
				results = failed.Results
			}
			listed := map[string]string{}
			for _, r := range results {
				listed[r.Ref.Name] = r.Status
			}
			g.Expect(listed).To(Equal(tt.wantListed))
			for _, m := range tt.wantMsg {
				g.Expect(err.Error()).To(ContainSubstring(m))
			}
		})
	}
}

// Wait keeps polling while a rollout progresses and returns once it is done.
func TestWaitFollowsRollout(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	dep := createDeployment(t, ns, "app")
	var waiting atomic.Int64
	opts := health.Options{Timeout: 20 * time.Second, Waiting: func(unhealthy []health.Result) {
		if len(unhealthy) == 1 {
			waiting.Add(1)
		}
	}}
	w := startWait(context.Background(), []inventory.ObjectRef{deploymentRef(ns, "app")}, opts, nil)
	w.seenUnhealthy(t)

	setStatus(t, dep, rolledOut(dep.Generation))
	err, _ := w.result(t)
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(waiting.Load()).To(Equal(int64(1)), "Waiting is told once, with the object it waits for")
}

// Objects healthy at the first look: no waiting to tell about.
func TestWaitHealthyAtOnceDoesNotWait(t *testing.T) {
	ns := testkit.NewNamespace(t, cp.Client)
	createConfigMap(t, ns, "settings")
	waited := false
	err := newChecker().Wait(context.Background(), []inventory.ObjectRef{configMapRef(ns, "settings")},
		health.Options{Timeout: 10 * time.Second, Waiting: func([]health.Result) { waited = true }})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	NewWithT(t).Expect(waited).To(BeFalse())
}

// A rollout that fails while Wait polls ends the wait at the next round,
// long before the timeout.
func TestWaitFailsFastWhenRolloutFails(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	dep := createDeployment(t, ns, "app")
	timeout := 20 * time.Second
	w := startWait(context.Background(), []inventory.ObjectRef{deploymentRef(ns, "app")}, health.Options{Timeout: timeout}, nil)
	w.seenUnhealthy(t)

	setStatus(t, dep, pastDeadline(dep.Generation))
	err, elapsed := w.result(t)
	var failed *health.FailedError
	g.Expect(errors.As(err, &failed)).To(BeTrue(), "want a FailedError, got %v", err)
	g.Expect(elapsed).To(BeNumerically("<", timeout/4))
	g.Expect(err.Error()).To(HavePrefix("Deployment/" + ns + "/app failed: Progress deadline exceeded"))
	g.Expect(err.Error()).To(ContainSubstring("`kubectl -n " + ns + " describe deployment.apps app`"))
}

// A newer revision to apply stops a long wait at the next round.
func TestWaitAborts(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	createDeployment(t, ns, "slow")
	var newRevision atomic.Bool
	timeout := 20 * time.Second
	w := startWait(context.Background(), []inventory.ObjectRef{deploymentRef(ns, "slow")}, health.Options{Timeout: timeout},
		func() string {
			if newRevision.Load() {
				return "revision main@sha1:abc is waiting"
			}
			return ""
		})
	w.seenUnhealthy(t)

	newRevision.Store(true)
	err, elapsed := w.result(t)
	var aborted *health.AbortedError
	g.Expect(errors.As(err, &aborted)).To(BeTrue(), "want an AbortedError, got %v", err)
	g.Expect(aborted.Reason).To(Equal("revision main@sha1:abc is waiting"))
	g.Expect(elapsed).To(BeNumerically("<", timeout/4))
}

// Wait stops when its context ends (the controller shuts down).
func TestWaitStopsWithContext(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	createDeployment(t, ns, "slow")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	timeout := 20 * time.Second
	w := startWait(ctx, []inventory.ObjectRef{deploymentRef(ns, "slow")}, health.Options{Timeout: timeout}, nil)
	w.seenUnhealthy(t)

	cancel()
	err, elapsed := w.result(t)
	g.Expect(err).To(MatchError(context.Canceled))
	g.Expect(elapsed).To(BeNumerically("<", timeout/4))
}

// With no timeout the objects are checked once.
func TestWaitWithoutTimeoutChecksOnce(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, cp.Client)
	createConfigMap(t, ns, "settings")
	createDeployment(t, ns, "new")
	c := newChecker()

	g.Expect(c.Wait(context.Background(), []inventory.ObjectRef{configMapRef(ns, "settings")}, health.Options{})).To(Succeed())
	err := c.Wait(context.Background(), []inventory.ObjectRef{deploymentRef(ns, "new")}, health.Options{})
	var unhealthy *health.UnhealthyError
	g.Expect(errors.As(err, &unhealthy)).To(BeTrue(), "want an UnhealthyError, got %v", err)
	g.Expect(unhealthy.TimedOut).To(BeFalse())
	g.Expect(err.Error()).To(HavePrefix("not healthy: [Deployment/" + ns + "/new status: 'InProgress'"))
}
