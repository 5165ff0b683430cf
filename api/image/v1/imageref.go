package v1

// ImageRef is an image as an ImagePolicy chose it: its name, tag and,
// when reflected, digest.
type ImageRef struct {
	// Name is the image's repository name, without tag or digest.
	// +required
	Name string `json:"name"`

	// Tag is the image's tag.
	// +required
	Tag string `json:"tag"`

	// Digest is the manifest digest of the tag, when the policy reflects it.
	// +optional
	Digest string `json:"digest,omitempty"`
}

// String writes the reference as Flux writes it into a full-image setter:
// name:tag, or name:tag@digest when the digest is known.
func (in *ImageRef) String() string {
	s := in.Name + ":" + in.Tag
	if in.Digest != "" {
		s += "@" + in.Digest
	}
	return s
}
