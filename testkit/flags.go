package testkit

import "testing"

// AssertFlagsRefused fails t unless parse, a controller's flag parser (see
// tidemanager.ParseFlags), refuses an unknown flag and each of args (a gate
// only the other controller knows, say): a controller must refuse what its
// Flux twin would, so that a test that its twin's arguments are accepted
// can fail.
func AssertFlagsRefused[O any](t testing.TB, parse func(args ...string) (O, error), args ...string) {
	t.Helper()
	for _, arg := range append([]string{"--no-such-flag=1"}, args...) {
		if _, err := parse(arg); err == nil {
			t.Errorf("%s accepted", arg)
		}
	}
}
