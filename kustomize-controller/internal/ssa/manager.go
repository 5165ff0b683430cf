package ssa

import (
	"context"
	"errors"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	defaultConcurrency = 8
	defaultWaitTimeout = time.Minute
	pollInterval       = 100 * time.Millisecond
)

// Manager applies and deletes objects with server-side apply.
type Manager struct {
	// Client is an uncached client: it may impersonate a service account or
	// reach a remote cluster. Its RESTMapper must learn kinds the apiserver
	// starts serving (controller-runtime's dynamic mapper does, on a miss).
	Client client.Client
	// Owner is the field manager, e.g. "kustomize-controller".
	Owner string
	// Concurrency bounds the requests under way within one call; 8 when 0.
	Concurrency int
	// OverrideManagers are more field managers (--override-manager) whose
	// fields Override takes over, besides kubectl's (see takeover.go).
	OverrideManagers []string
	// CustomStageKinds (--custom-apply-stage-kinds) are applied in a stage
	// of their own, after the first stage and before the rest (see
	// custom_stage.go).
	CustomStageKinds map[schema.GroupKind]bool
}

// ApplyOptions tunes one Apply.
type ApplyOptions struct {
	// Force recreates objects whose update fails on an immutable field, as
	// the force annotation does for one object (spec.force).
	Force bool
	// WaitTimeout bounds the wait for the applied CRDs to be established,
	// and for an object being recreated to be gone; 1m when 0.
	WaitTimeout time.Duration
	// Ignored gives the fields of an object (JSON pointer tokens) that are
	// left to others: taking over kubectl's fields leaves them alone, so
	// the apply, which does not set them, does not remove them either.
	Ignored func(*unstructured.Unstructured) [][]string
}

// stage 1 holds the cluster-wide definitions the other objects may need.
func firstStage(gk schema.GroupKind) bool {
	return gk == crdKind || gk == schema.GroupKind{Kind: "Namespace"} ||
		gk == schema.GroupKind{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}
}

var crdKind = schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}

// Apply server-side applies objs and reports, in their order, what it did
// to each. It dry-runs every object before it writes any: when the
// apiserver rejects some, it returns an *InvalidError listing them and
// applies nothing. Objects that can only be dry-run once their CRD or
// namespace of the same set exists are validated after the first stage
// (CRDs, Namespaces, ClusterRoles) is applied, and before the rest is.
// The kinds of CustomStageKinds are applied between the two (custom_stage.go).
//
// On error, the ChangeSet holds what was applied before it.
func (m *Manager) Apply(ctx context.Context, objs []*unstructured.Unstructured, opts ApplyOptions) (ChangeSet, error) {
	if opts.WaitTimeout <= 0 {
		opts.WaitTimeout = defaultWaitTimeout
	}
	items := make([]*item, len(objs))
	var first, custom, second []*item
	for i, obj := range objs {
		it := newItem(obj, opts.Force)
		if opts.Ignored != nil {
			it.ignored = opts.Ignored(obj)
		}
		items[i] = it
		switch gk := it.ref.GroupVersionKind().GroupKind(); {
		case firstStage(gk):
			first = append(first, it)
		case m.CustomStageKinds[gk]:
			custom = append(custom, it)
		default:
			second = append(second, it)
		}
	}

	// Validate the first stage, then what of the others does not wait on it.
	errs := m.plan(ctx, first, nil)
	d := newDeferrals(first)
	errs = append(errs, m.plan(ctx, custom, d)...)
	if customChanges(custom) {
		deferAll(second)
	} else {
		errs = append(errs, m.plan(ctx, second, d)...)
	}
	if err := validationError(items, errs, nil); err != nil {
		return nil, err
	}

	if err := m.write(ctx, first, opts); err != nil {
		return changes(items), err
	}
	if err := m.waitForCRDs(ctx, first, opts.WaitTimeout); err != nil {
		return changes(items), err
	}
	if err := m.writeCustom(ctx, custom, opts, items); err != nil {
		return changes(items), err
	}
	deferred := deferredOf(second)
	if err := validationError(deferred, m.plan(ctx, deferred, nil), changes(items)); err != nil {
		return changes(items), err
	}
	err := m.write(ctx, second, opts)
	return changes(items), err
}

// changes lists the objects written or found unchanged so far, in input order.
func changes(items []*item) ChangeSet {
	var cs ChangeSet
	for _, it := range items {
		if it.done {
			cs = append(cs, Change{Ref: it.ref, Action: it.action})
		}
	}
	return cs
}

// plan plans the items in parallel and returns the errors other than
// rejections.
func (m *Manager) plan(ctx context.Context, items []*item, d *deferrals) []error {
	return m.parallel(len(items), func(i int) error { return m.planOne(ctx, items[i], d) })
}

// validationError makes the rejected items an *InvalidError (saying what
// was applied already) and joins it with the other errors.
func validationError(items []*item, errs []error, applied ChangeSet) error {
	invalid := &InvalidError{Applied: applied}
	for _, it := range items {
		if it.rejected != "" {
			invalid.Objects = append(invalid.Objects, ObjectError{Ref: it.ref, Message: it.rejected})
		}
	}
	if len(invalid.Objects) > 0 {
		errs = append([]error{invalid}, errs...)
	}
	return join(errs)
}

// join is errors.Join, but returns a lone error as it is, so that callers
// may also use a type assertion on it.
func join(errs []error) error {
	errs = slices.DeleteFunc(errs, func(err error) bool { return err == nil })
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// write applies the planned items of one stage in parallel. Every item is
// tried; the errors are joined.
func (m *Manager) write(ctx context.Context, items []*item, opts ApplyOptions) error {
	return join(m.parallel(len(items), func(i int) error { return m.execute(ctx, items[i], opts.WaitTimeout) }))
}

// parallel runs fn for 0..n-1, at most Concurrency at once, and returns
// their errors in that order.
func (m *Manager) parallel(n int, fn func(i int) error) []error {
	limit := m.Concurrency
	if limit <= 0 {
		limit = defaultConcurrency
	}
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(limit)
	for i := range n {
		g.Go(func() error {
			errs[i] = fn(i)
			return nil
		})
	}
	_ = g.Wait()
	return errs
}
