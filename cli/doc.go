// Package cli is the home of the `tide` command line (cmd/tide). Each
// command is a package under internal/commands; the work they do lives in
// library packages (internal/...) that tests call directly too.
package cli
