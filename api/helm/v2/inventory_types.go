package v2

// ResourceInventory lists the objects of the release's manifest.
type ResourceInventory struct {
	// Entries, one per object.
	Entries []ResourceRef `json:"entries"`
}

// ResourceRef identifies one object of the release.
type ResourceRef struct {
	// ID is '<namespace>_<name>_<group>_<kind>'.
	ID string `json:"id"`

	// Version is the object's API version.
	Version string `json:"v"`
}
