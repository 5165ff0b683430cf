package manager

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

// Main is a controller's main function: it parses the command line into
// options made by newOptions, whose flags bind declares, and runs run with
// them. --help shows the flags and exits 0; a flag the controller does not
// know, or a bad value, exits 2, as in Flux's controllers; an error of run
// exits 1. Errors are printed after the controller's name.
func Main[O any](name string, newOptions func() O, bind func(*O, *pflag.FlagSet), run func(O) error) {
	opts, err := ParseFlags(name, newOptions, bind, os.Args[1:]...)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v (see --help)\n", name, err)
		os.Exit(2)
	}
	if err := run(opts); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// ParseFlags makes options with newOptions, declares their flags with bind
// on a new flag set named name and parses args into them: what Main does
// with the command line, for tests to check a controller's flags.
func ParseFlags[O any](name string, newOptions func() O, bind func(*O, *pflag.FlagSet), args ...string) (O, error) {
	opts := newOptions()
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	bind(&opts, fs)
	err := fs.Parse(args)
	return opts, err
}
