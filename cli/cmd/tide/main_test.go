package main

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/tidegitops/tide/cli/internal/clusterdiff"
)

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err     error
		code    int
		printed string
	}{
		{nil, 0, ""},
		{fmt.Errorf("diff: %w", clusterdiff.ErrDifferences), 1, ""},
		{errors.New("kustomization 'x' not found"), 2, "✗ kustomization 'x' not found\n"},
	} {
		var stderr bytes.Buffer
		if code := exitCode(tc.err, &stderr); code != tc.code || stderr.String() != tc.printed {
			t.Errorf("exitCode(%v) = %d, printed %q; want %d, %q", tc.err, code, stderr.String(), tc.code, tc.printed)
		}
	}
}
