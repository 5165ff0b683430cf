// Command tide is Tide's command line: install, bootstrap, day-2 commands
// and the local demo environment.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/tidegitops/tide/cli/internal/clusterdiff"
	"github.com/tidegitops/tide/cli/internal/commands"
)

// Exit codes: 0 success; 1 `tide diff` found differences (as diff(1));
// 2 any error, which is printed as one line that says what to do next.
func main() {
	err := commands.NewRoot().Execute()
	switch {
	case err == nil:
	case errors.Is(err, clusterdiff.ErrDifferences):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "✗", err)
		os.Exit(2)
	}
}
