package v1

// ResourceInventory lists the objects a Kustomization applied, so that what
// later leaves Git can be pruned.
type ResourceInventory struct {
	// Entries, one per applied object.
	Entries []ResourceRef `json:"entries"`
}

// ResourceRef identifies one applied object.
type ResourceRef struct {
	// ID is '<namespace>_<name>_<group>_<kind>'.
	ID string `json:"id"`

	// Version is the object's API version.
	Version string `json:"v"`
}
