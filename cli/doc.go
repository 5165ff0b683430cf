// Package cli is the home of the `tide` command line. Its commands are built
// in the CLI issue.
package cli
