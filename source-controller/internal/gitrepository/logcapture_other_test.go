//go:build !unix

package gitrepository

import "testing"

// captureStderr is not available on this platform: logs are not checked.
func captureStderr(t *testing.T) (stop func() string) { return nil }
