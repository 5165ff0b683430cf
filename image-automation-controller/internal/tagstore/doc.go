// Package tagstore keeps the tags each ImageRepository scan found, for the
// ImagePolicies that choose among them. Each ImageRepository's tags are one
// file on the controller's volume (--storage-path), a tag per line as
// Flux's filesystem storage writes them, replaced atomically, so they
// survive a restart and a crash never leaves half a list. In memory only
// the most recently used lists are kept, up to a number of tags in all, so
// a controller watching repositories of 10,000+ tags stays small: a list
// pushed out is read again from its file when a policy needs it.
package tagstore
