package v1

// Action names a stage of a reconcile of an image kind, as Flux reports it
// on the events its image controllers emit.
type Action string

// String returns the action's name.
func (a Action) String() string { return string(a) }

// The stages of an ImageRepository and an ImagePolicy reconcile.
const (
	// ActionScan lists an ImageRepository's tags and stores them.
	ActionScan Action = "Scan"
	// ActionSelectImage picks an ImagePolicy's latest image from the tags
	// of its ImageRepository (and its digest, when reflected).
	ActionSelectImage Action = "SelectImage"
)

// The stages of an ImageUpdateAutomation run.
const (
	// ActionReconcile is the outcome of a whole run.
	ActionReconcile Action = "Reconcile"
	// ActionListPolicies reads the selected ImagePolicies and their latest
	// images.
	ActionListPolicies Action = "ListPolicies"
	// ActionConfigureSource resolves the GitRepository, its credentials and
	// the cross-namespace access rules.
	ActionConfigureSource Action = "ConfigureSource"
	// ActionApplyPolicies rewrites the setter-marked values under
	// spec.update.path.
	ActionApplyPolicies Action = "ApplyPolicies"
	// ActionCommitAndPush renders the message, commits (signed when asked)
	// and pushes.
	ActionCommitAndPush Action = "CommitAndPush"
)
