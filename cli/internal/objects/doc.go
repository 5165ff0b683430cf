// Package objects is what the day-2 commands (get, reconcile, suspend,
// resume, delete, export, create, events) share about Tide's kinds: a
// registry of the kinds and how the CLI names them, the status columns
// `tide get` shows, requesting a reconcile and waiting for it, clean
// exports, and errors that tell the user what to do next.
//
// Commands stay thin: they parse flags, call these functions and print.
package objects
