// Package imageupdate reconciles Flux's ImageUpdateAutomation: it clones the
// branch of a GitRepository, rewrites the image policy markers under
// spec.update.path with the latest images of the selected ImagePolicies
// (package setters), commits with spec.git.commit's author, message template
// and signing key, and pushes to spec.git.push's branch and refspec, never
// forcing (a push that loses a race is fetched, re-applied and retried).
//
// A run is skipped, with no clone, while neither the selected policies'
// latest images (status.observedPolicies) nor the checkout's revision
// (status.observedSourceRevision) changed. spec.policyChangeDelay holds the
// run an ImagePolicy change triggers, so the updates of several policies
// arriving within it go into one commit.
//
// Beyond Flux, spec.git.push.branch may be a Go template over each changed
// policy (e.g. "image-updates/{{ .Policy }}"): each branch gets a commit
// with the updates of the policies it renders to, for review.
package imageupdate
