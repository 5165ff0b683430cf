// Command tide is Tide's command line: install, bootstrap, day-2 commands
// and the local demo environment.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tidegitops/tide/cli/internal/clusterdiff"
	"github.com/tidegitops/tide/cli/internal/commands"
)

func main() {
	os.Exit(exitCode(commands.NewRoot().Execute(), os.Stderr))
}

// exitCode reports err and returns the exit code: 0 success; 1 when
// `tide diff` found differences (as diff(1) does, without an error line);
// 2 for any error, printed as one line that says what to do next.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, clusterdiff.ErrDifferences):
		return 1
	default:
		fmt.Fprintln(stderr, "✗", err)
		return 2
	}
}
