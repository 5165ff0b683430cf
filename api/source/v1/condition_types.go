package v1

// Condition types a source object can carry besides the kstatus trio
// (Ready, Reconciling, Stalled). The names are Flux's, so tools written for
// Flux read Tide's status unchanged.
const (
	// ArtifactOutdatedCondition is True while the stored artifact does not
	// reflect the latest spec or upstream revision.
	ArtifactOutdatedCondition string = "ArtifactOutdated"

	// SourceVerifiedCondition reports the result of the signature check.
	SourceVerifiedCondition string = "SourceVerified"

	// FetchFailedCondition is True while fetching from upstream fails.
	FetchFailedCondition string = "FetchFailed"

	// BuildFailedCondition is True while building the artifact fails.
	BuildFailedCondition string = "BuildFailed"

	// StorageOperationFailedCondition is True while writing or reading the
	// artifact storage fails.
	StorageOperationFailedCondition string = "StorageOperationFailed"

	// ArtifactInStorageCondition is True once an artifact has been stored.
	ArtifactInStorageCondition string = "ArtifactInStorage"

	// IncludeUnavailableCondition is True while an included GitRepository is
	// missing or has no artifact yet. It is removed when all includes resolve.
	IncludeUnavailableCondition string = "IncludeUnavailable"
)

// Reasons used with the conditions above.
const (
	URLInvalidReason                   string = "URLInvalid"
	AuthenticationFailedReason         string = "AuthenticationFailed"
	VerificationError                  string = "VerificationError"
	DirCreationFailedReason            string = "DirectoryCreationFailed"
	StatOperationFailedReason          string = "StatOperationFailed"
	ReadOperationFailedReason          string = "ReadOperationFailed"
	AcquireLockFailedReason            string = "AcquireLockFailed"
	InvalidPathReason                  string = "InvalidPath"
	ArchiveOperationFailedReason       string = "ArchiveOperationFailed"
	SymlinkUpdateFailedReason          string = "SymlinkUpdateFailed"
	ArtifactUpToDateReason             string = "ArtifactUpToDate"
	CacheOperationFailedReason         string = "CacheOperationFailed"
	PatchOperationFailedReason         string = "PatchOperationFailed"
	InvalidProviderConfigurationReason string = "InvalidProviderConfiguration"
	GitOperationSucceedReason          string = "GitOperationSucceeded"
	GitOperationFailedReason           string = "GitOperationFailed"
	NewRevisionReason                  string = "NewRevision"
	ArtifactVerificationFailedReason   string = "ArtifactVerificationFailed"
	NewArtifactReason                  string = "NewArtifact"
	NoSourceArtifactReason             string = "NoSourceArtifact"
	GarbageCollectionSucceededReason   string = "GarbageCollectionSucceeded"
	GarbageCollectionFailedReason      string = "GarbageCollectionFailed"
)
