package ssa

import "context"

// The custom stage (--custom-apply-stage-kinds) is Flux's answer to objects
// that the apiserver accepts only once another object of the same set
// exists, beyond CRDs and Namespaces: a RoleBinding applied by a service
// account that is not cluster-admin passes the RBAC escalation check only
// if the Role it binds exists. Flux applies the listed kinds after the
// first stage and dry-runs the rest only then; it does not wait for them
// to be ready. Tide does the same: when the custom stage creates or changes
// something, the rest is validated after it is applied (so an invalid
// object there leaves the earlier stages applied, and the error says so);
// otherwise everything is validated before anything is written, as without
// the flag.

// customChanges reports whether applying the custom stage may change what
// the rest of the set is validated against.
func customChanges(custom []*item) bool {
	for _, it := range custom {
		if it.deferred || it.action == Created || it.action == Configured {
			return true
		}
	}
	return false
}

// deferAll leaves the validation of items until the stages before them
// are applied.
func deferAll(items []*item) {
	for _, it := range items {
		it.deferred = true
	}
}

// writeCustom validates what of the custom stage waited for the first one,
// then applies the stage.
func (m *Manager) writeCustom(ctx context.Context, custom []*item, opts ApplyOptions, all []*item) error {
	deferred := deferredOf(custom)
	if err := validationError(deferred, m.plan(ctx, deferred, nil), changes(all)); err != nil {
		return err
	}
	return m.write(ctx, custom, opts)
}
