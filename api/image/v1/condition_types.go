package v1

// ImageFinalizer is the finalizer all three kinds carry, Flux's shared one.
const ImageFinalizer string = "finalizers.fluxcd.io"

// Reasons the image kinds write into conditions and events, under Flux's
// names, so tools written for Flux read Tide's status unchanged.
const (
	// ImageURLInvalidReason: spec.image of an ImageRepository is not an
	// image repository name.
	ImageURLInvalidReason string = "ImageURLInvalid"
	// DependencyNotReadyReason: an object this one needs (the
	// ImagePolicy's ImageRepository) is not ready yet.
	DependencyNotReadyReason string = "DependencyNotReady"
	// AuthenticationFailedReason: a credentials Secret lacks a key, or the
	// registry refused the credentials.
	AuthenticationFailedReason string = "AuthenticationFailed"
	// ReadOperationFailedReason: reading from the registry or the tag store
	// failed.
	ReadOperationFailedReason string = "ReadOperationFailed"
	// IntervalNotConfiguredReason: an interval the object needs is missing.
	IntervalNotConfiguredReason string = "IntervalNotConfigured"

	// InvalidUpdateStrategyReason: spec.update names a strategy that cannot
	// be used.
	InvalidUpdateStrategyReason string = "InvalidUpdateStrategy"
	// InvalidSourceConfigReason: spec.sourceRef or spec.git cannot be used
	// as written.
	InvalidSourceConfigReason string = "InvalidSourceConfiguration"
	// SourceManagerFailedReason: the Git source could not be prepared.
	SourceManagerFailedReason string = "SourceManagerFailed"
	// GitOperationFailedReason: a clone, commit or push failed.
	GitOperationFailedReason string = "GitOperationFailed"
	// UpdateFailedReason: rewriting the files under spec.update.path failed.
	UpdateFailedReason string = "UpdateFailed"
	// InvalidPolicySelectorReason: spec.policySelector is not a valid label
	// selector.
	InvalidPolicySelectorReason string = "InvalidPolicySelector"
	// RemovedTemplateFieldReason: the commit message template uses a field
	// Flux removed (.Updated; .Changed replaces it).
	RemovedTemplateFieldReason string = "RemovedTemplateField"
)
