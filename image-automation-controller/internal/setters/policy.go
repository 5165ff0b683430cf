package setters

import "strings"

// Image is a policy's latest image, as ImagePolicy status.latestRef holds it.
type Image struct {
	Name, Tag, Digest string
}

// String is the full image reference a marker without a field writes:
// name:tag, and @digest when the policy reflects digests (as Flux writes it).
func (i Image) String() string {
	s := i.Name + ":" + i.Tag
	if i.Digest != "" {
		s += "@" + i.Digest
	}
	return s
}

// Policies maps "namespace:name" to the policy's latest image.
type Policies map[string]Image

// value returns what a setter writes, and false when the setter names no
// known policy, an unknown field, or a digest the policy does not have
// (Flux would write an empty digest; an empty value is never what a user
// wants in a manifest).
func (p Policies) value(setter string) (string, bool) {
	parts := strings.Split(setter, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return "", false
	}
	img, ok := p[parts[0]+":"+parts[1]]
	if !ok {
		return "", false
	}
	if len(parts) == 2 {
		return img.String(), img.Name != "" && img.Tag != ""
	}
	switch parts[2] {
	case "name":
		return img.Name, img.Name != ""
	case "tag":
		return img.Tag, img.Tag != ""
	case "digest":
		return img.Digest, img.Digest != ""
	}
	return "", false
}

// PolicyOf returns the "namespace:name" part of a setter.
func PolicyOf(setter string) string {
	parts := strings.SplitN(setter, ":", 3)
	if len(parts) < 2 {
		return setter
	}
	return parts[0] + ":" + parts[1]
}
