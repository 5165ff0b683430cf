// Package sourcecontroller is the home of Tide's source-controller: it turns
// GitRepository objects into tarball artifacts, serves them over HTTP and
// records their URL, revision and digest in the object's status. Its
// reconciler and binary are built in the source-controller issue.
package sourcecontroller
