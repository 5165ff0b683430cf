package setters

import (
	"encoding/json"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Token is what a file must contain to be read at all (Flux screens files
// the same way, so Helm templates and other non-YAML never get parsed).
const Token = `"$imagepolicy"`

const shortHand = "$imagepolicy"

// markerOf returns the setter a scalar is marked with: its line comment,
// else its head comment (as kyaml reads field metadata), must be exactly one
// JSON object of strings with a "$imagepolicy" key.
func markerOf(n *yaml.Node) (string, bool) {
	for _, c := range []string{n.LineComment, n.HeadComment} {
		if c == "" {
			continue
		}
		var fields map[string]string
		if err := json.Unmarshal([]byte(strings.TrimLeft(c, "#")), &fields); err != nil {
			continue
		}
		if s := fields[shortHand]; s != "" {
			return s, true
		}
	}
	return "", false
}
