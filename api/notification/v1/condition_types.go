package v1

// Reasons the notification-controller writes into conditions and events,
// under Flux's names.
const (
	// InitializedReason: the Receiver's webhook path is computed and served.
	InitializedReason string = "Initialized"
	// ValidationFailedReason: part of the spec cannot be used as written.
	ValidationFailedReason string = "ValidationFailed"
	// TokenNotFoundReason: the Receiver's token Secret or key is missing.
	TokenNotFoundReason string = "TokenNotFound"
	// InvalidConfigReason: a regex or CEL expression does not compile.
	InvalidConfigReason string = "InvalidConfig"
	// NotificationDispatchFailedReason: a provider did not take a notification.
	NotificationDispatchFailedReason string = "NotificationDispatchFailed"
	// SourceFetchFailedReason: an event's object could not be read to match labels.
	SourceFetchFailedReason string = "SourceFetchFailed"
	// MetadataAppendFailedReason: event metadata sources disagree on a key.
	MetadataAppendFailedReason string = "MetadataAppendFailed"
)
