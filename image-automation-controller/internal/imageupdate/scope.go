package imageupdate

import (
	"text/template"
	"time"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/gitclient"
	"k8s.io/apimachinery/pkg/labels"
)

// scope is what the steps of one reconciliation learn and hand on.
type scope struct {
	obj   *imagev1.ImageUpdateAutomation
	start time.Time

	// from the spec
	selector labels.Selector
	message  *template.Template
	branches *branchTemplate // nil: push.branch is a plain branch name

	// from the source
	repo     *sourcev1.GitRepository
	auth     *gitclient.Auth
	checkout gitclient.Ref
	timeout  time.Duration
	signer   *gitclient.Signer

	// from the policies
	selected []imagev1.ImagePolicy    // selected, with a latest image
	existing map[string]bool          // names of every policy of the namespace
	observed imagev1.ObservedPolicies // what status.observedPolicies becomes

	// from the run
	revision string   // the checkout's revision on the remote
	skipped  bool     // nothing changed since the last run: no clone
	pushes   []pushed // what was pushed, in order
}

// pushed is one commit the run pushed.
type pushed struct {
	commit, branch, refspec, message string
}
