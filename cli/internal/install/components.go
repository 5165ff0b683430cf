package install

import (
	"slices"

	"github.com/tidegitops/tide/manifests"
)

// fluxComponentNames maps the names of Flux's components that Tide serves
// under another name: Flux's image-reflector-controller and
// image-automation-controller are both Tide's image-automation-controller.
var fluxComponentNames = map[string]string{
	"image-reflector-controller": "image-automation-controller",
}

// Components is what --components and --components-extra choose: both
// lists in order, Flux's names mapped to Tide's, each controller once, so
// that a Flux user's `--components-extra=image-reflector-controller,image-automation-controller`
// installs Tide's one image controller. Unknown names are refused.
func Components(components, extra []string) ([]string, error) {
	var out []string
	for _, c := range slices.Concat(components, extra) {
		if tide, ok := fluxComponentNames[c]; ok {
			c = tide
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if err := ValidateComponents(out); err != nil {
		return nil, err
	}
	return out, nil
}

// ExtraComponentsUsage is the help of --components-extra.
const ExtraComponentsUsage = "Extra controllers to install, comma-separated: image-automation-controller " +
	"(Flux's image-reflector-controller and image-automation-controller, both accepted)."

// allComponents are the names ValidateComponents accepts.
func allComponents() []string { return manifests.AllControllers() }
