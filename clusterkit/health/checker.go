package health

import (
	"context"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/clusterkit/inventory"
)

// DefaultInterval is the poll interval when Checker.Interval is zero.
const DefaultInterval = 500 * time.Millisecond

// readTimeout bounds one round of reads: the wait may overrun its timeout
// by at most this much when an apiserver stops answering.
const readTimeout = 10 * time.Second

// parallelReads bounds the reads of one round, so that a large inventory is
// read quickly without flooding the apiserver.
const parallelReads = 8

// Checker polls objects until they are healthy.
type Checker struct {
	// Reader reads without a cache (an uncached client), so that every
	// round sees the apiserver's state; it may target a remote cluster.
	Reader client.Reader
	// Interval is the pause between rounds; DefaultInterval when 0.
	Interval time.Duration
}

// Options say how long to wait and how to read custom kinds.
type Options struct {
	// Timeout bounds the whole wait. When it is 0 or less the objects are
	// checked once.
	Timeout time.Duration
	// Exprs are the healthCheckExprs of the Kustomization or HelmRelease.
	Exprs []kustomizev1.CustomHealthCheck
	// Abort is polled between rounds; when it returns a non-empty reason
	// the wait stops with an *AbortedError (a new source revision must not
	// wait behind a long health check). It may be nil.
	Abort func(ctx context.Context) string
	// Waiting is called once, with the objects not healthy yet, when the
	// first round did not find all healthy: the wait begins. It may be nil.
	Waiting func(unhealthy []Result)
	// KindRules read the objects of the kinds they name in place of
	// kstatus; an Exprs entry of the kind still comes first. The
	// helm-controller reads Jobs with one: a Job it waits for must have
	// completed, where kstatus is content once it has started.
	KindRules map[schema.GroupKind]KindRule
}

// KindRule returns the health of an object of one kind: a status name
// (Current, InProgress or Failed) and why, in words for a condition.
type KindRule func(obj *unstructured.Unstructured) (status, message string)

// Wait polls the objects until all are healthy (kstatus Current, or the CEL
// current expression of the matching Exprs entry) and returns nil. It
// returns
//   - an *InvalidExprError at once when an expression does not compile;
//   - a *FailedError as soon as any object is Failed;
//   - an *UnhealthyError listing the objects not Current when the timeout
//     passes;
//   - an *AbortedError when Abort gives a reason;
//   - an error wrapping ctx's error when ctx ends first.
func (c *Checker) Wait(ctx context.Context, refs []inventory.ObjectRef, opts Options) error {
	rules, err := compile(opts.Exprs)
	if err != nil {
		return err
	}
	rules.kinds = opts.KindRules
	if len(refs) == 0 {
		return nil
	}
	interval := c.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}

	var expired <-chan time.Time // nil, never ready, when checking once
	if opts.Timeout > 0 {
		timer := time.NewTimer(opts.Timeout)
		defer timer.Stop()
		expired = timer.C
	}
	deadline := time.Now().Add(opts.Timeout)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()

	for first := true; ; first = false {
		results := c.round(ctx, refs, rules)
		if ctx.Err() != nil {
			return interrupted(ctx)
		}
		if failed := withStatus(results, Failed); len(failed) > 0 {
			return &FailedError{Results: failed}
		}
		unhealthy := notCurrent(results)
		if len(unhealthy) == 0 {
			return nil
		}
		if opts.Timeout <= 0 || !time.Now().Before(deadline) {
			return &UnhealthyError{Results: unhealthy, TimedOut: opts.Timeout > 0}
		}
		if opts.Abort != nil {
			if reason := opts.Abort(ctx); reason != "" {
				return &AbortedError{Reason: reason}
			}
		}
		if first && opts.Waiting != nil {
			opts.Waiting(unhealthy)
		}
		select {
		case <-ctx.Done():
			return interrupted(ctx)
		case <-expired:
			return &UnhealthyError{Results: unhealthy, TimedOut: true}
		case <-ticker.C:
		}
	}
}

func interrupted(ctx context.Context) error {
	return fmt.Errorf("health check interrupted: %w", context.Cause(ctx))
}

// round reads and evaluates every object once. A round always completes, so
// that a timeout reports what the objects last said rather than "context
// deadline exceeded"; readTimeout bounds it when an apiserver hangs.
func (c *Checker) round(ctx context.Context, refs []inventory.ObjectRef, rules *rules) []Result {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	results := make([]Result, len(refs))
	sem := make(chan struct{}, parallelReads)
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = c.check(ctx, ref, rules)
		})
	}
	wg.Wait()
	return results
}

// check reads one object and returns its health.
func (c *Checker) check(ctx context.Context, ref inventory.ObjectRef, rules *rules) Result {
	obj := &unstructured.Unstructured{}
	obj.SetGroupVersionKind(ref.GroupVersionKind())
	err := c.Reader.Get(ctx, client.ObjectKey{Namespace: ref.Namespace, Name: ref.Name}, obj)
	switch {
	case apierrors.IsNotFound(err):
		return Result{Ref: ref, Status: NotFound, Message: "object not found"}
	case err != nil:
		return Result{Ref: ref, Status: Unknown, Message: fmt.Sprintf("cannot read: %v", err)}
	}
	return rules.evaluate(ref, obj)
}

func withStatus(results []Result, status string) []Result {
	var out []Result
	for _, r := range results {
		if r.Status == status {
			out = append(out, r)
		}
	}
	return out
}

func notCurrent(results []Result) []Result {
	var out []Result
	for _, r := range results {
		if r.Status != Current {
			out = append(out, r)
		}
	}
	return out
}
