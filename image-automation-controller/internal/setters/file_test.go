package setters

import (
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

var testPolicies = Policies{
	"apps:web":    {Name: "ghcr.io/org/web", Tag: "1.2.0"},
	"apps:pinned": {Name: "ghcr.io/org/api", Tag: "2.0.1", Digest: "sha256:abc123"},
	"apps:num":    {Name: "ghcr.io/org/num", Tag: "1.10"},
}

func TestUpdateBytes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string // "" means unchanged
		changes []Change
	}{{
		name: "full image, comments and formatting kept",
		in: `# a file comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  namespace: apps

spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/org/web:1.0.0 # {"$imagepolicy": "apps:web"}
          args: [ "--x",   "--y" ]   # odd spacing kept
`,
		want: `# a file comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  namespace: apps

spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/org/web:1.2.0 # {"$imagepolicy": "apps:web"}
          args: [ "--x",   "--y" ]   # odd spacing kept
`,
		changes: []Change{{OldValue: "ghcr.io/org/web:1.0.0", NewValue: "ghcr.io/org/web:1.2.0", Setter: "apps:web"}},
	}, {
		name: "name, tag and digest fields of a HelmRelease",
		in: `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: api}
spec:
  values:
    image:
      repository: ghcr.io/org/old # {"$imagepolicy": "apps:pinned:name"}
      tag: "2.0.0"   # {"$imagepolicy": "apps:pinned:tag"}
      digest: 'sha256:000' # {"$imagepolicy": "apps:pinned:digest"}
`,
		want: `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: api}
spec:
  values:
    image:
      repository: ghcr.io/org/api # {"$imagepolicy": "apps:pinned:name"}
      tag: "2.0.1"   # {"$imagepolicy": "apps:pinned:tag"}
      digest: 'sha256:abc123' # {"$imagepolicy": "apps:pinned:digest"}
`,
		changes: []Change{
			{OldValue: "ghcr.io/org/old", NewValue: "ghcr.io/org/api", Setter: "apps:pinned:name"},
			{OldValue: "2.0.0", NewValue: "2.0.1", Setter: "apps:pinned:tag"},
			{OldValue: "sha256:000", NewValue: "sha256:abc123", Setter: "apps:pinned:digest"},
		},
	}, {
		name:    "full image with a digest is name:tag@digest",
		in:      "image: ghcr.io/org/api:2.0.0 # {\"$imagepolicy\": \"apps:pinned\"}\n",
		want:    "image: ghcr.io/org/api:2.0.1@sha256:abc123 # {\"$imagepolicy\": \"apps:pinned\"}\n",
		changes: []Change{{OldValue: "ghcr.io/org/api:2.0.0", NewValue: "ghcr.io/org/api:2.0.1@sha256:abc123", Setter: "apps:pinned"}},
	}, {
		name:    "a plain tag that would read as a number is quoted",
		in:      "tag: 1.9 # {\"$imagepolicy\": \"apps:num:tag\"}\n",
		want:    "tag: \"1.10\" # {\"$imagepolicy\": \"apps:num:tag\"}\n",
		changes: []Change{{OldValue: "1.9", NewValue: "1.10", Setter: "apps:num:tag"}},
	}, {
		name:    "kustomization images, newTag",
		in:      "images:\n- name: web\n  newName: ghcr.io/org/web\n  newTag: 1.0.0 # {\"$imagepolicy\": \"apps:web:tag\"}\n",
		want:    "images:\n- name: web\n  newName: ghcr.io/org/web\n  newTag: 1.2.0 # {\"$imagepolicy\": \"apps:web:tag\"}\n",
		changes: []Change{{OldValue: "1.0.0", NewValue: "1.2.0", Setter: "apps:web:tag"}},
	}, {
		name:    "sequence item marked by the comment above it",
		in:      "args:\n  # {\"$imagepolicy\": \"apps:web\"}\n  - ghcr.io/org/web:0.1\n  - keep\n",
		want:    "args:\n  # {\"$imagepolicy\": \"apps:web\"}\n  - ghcr.io/org/web:1.2.0\n  - keep\n",
		changes: []Change{{OldValue: "ghcr.io/org/web:0.1", NewValue: "ghcr.io/org/web:1.2.0", Setter: "apps:web"}},
	}, {
		name:    "flow mapping",
		in:      "c: {image: ghcr.io/org/web:1.0.0, name: x} # {\"$imagepolicy\": \"apps:web\"}\nd: {image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"apps:web\"}\n  , name: y}\n",
		want:    "c: {image: ghcr.io/org/web:1.0.0, name: x} # {\"$imagepolicy\": \"apps:web\"}\nd: {image: ghcr.io/org/web:1.2.0 # {\"$imagepolicy\": \"apps:web\"}\n  , name: y}\n",
		changes: []Change{{OldValue: "ghcr.io/org/web:1.0.0", NewValue: "ghcr.io/org/web:1.2.0", Setter: "apps:web"}},
	}, {
		name: "multi-document file, each object named",
		in: `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: n1}
spec: {containers: [{name: c, image: ghcr.io/org/web:1 # {"$imagepolicy": "apps:web"}
  }]}
---
# untouched doc
apiVersion: v1
kind: Pod
metadata:
  name: b
spec:
  containers:
  - image: "ghcr.io/org/web:1" # {"$imagepolicy": "apps:web"}
`,
		want: `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: n1}
spec: {containers: [{name: c, image: ghcr.io/org/web:1.2.0 # {"$imagepolicy": "apps:web"}
  }]}
---
# untouched doc
apiVersion: v1
kind: Pod
metadata:
  name: b
spec:
  containers:
  - image: "ghcr.io/org/web:1.2.0" # {"$imagepolicy": "apps:web"}
`,
		changes: []Change{
			{OldValue: "ghcr.io/org/web:1", NewValue: "ghcr.io/org/web:1.2.0", Setter: "apps:web"},
			{OldValue: "ghcr.io/org/web:1", NewValue: "ghcr.io/org/web:1.2.0", Setter: "apps:web"},
		},
	}, {
		name: "already up to date",
		in:   "image: ghcr.io/org/web:1.2.0 # {\"$imagepolicy\": \"apps:web\"}\n",
	}, {
		name: "a policy not given is untouched",
		in:   "image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"other:web\"}\n",
	}, {
		name: "a marker without a namespace names no policy (as in Flux)",
		in:   "image: ghcr.io/org/web:1.0.0 # {\"$imagepolicy\": \"web\"}\n",
	}, {
		name: "an unknown field is untouched",
		in:   "image: x # {\"$imagepolicy\": \"apps:web:label\"}\n",
	}, {
		name: "no digest in the policy: a digest marker is untouched",
		in:   "digest: sha256:0 # {\"$imagepolicy\": \"apps:web:digest\"}\n",
	}, {
		name: "a comment that is not a marker object",
		in:   "image: x # $imagepolicy apps:web\nimage2: y # {\"$imagepolicy\": \"apps:web\", \"n\": 1}\n",
	}, {
		name: "a mapping key is never rewritten",
		in:   "? k # {\"$imagepolicy\": \"apps:web\"}\n: v\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changes, err := UpdateBytes([]byte(tt.in), testPolicies)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if string(got) != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			var all []Change
			for _, cs := range changes {
				all = append(all, cs...)
			}
			if len(all) != len(tt.changes) {
				t.Fatalf("changes %v, want %v", all, tt.changes)
			}
			for _, c := range tt.changes {
				found := false
				for _, a := range all {
					found = found || a == c
				}
				if !found {
					t.Errorf("change %v missing in %v", c, all)
				}
			}
		})
	}
}

func TestUpdateBytesObjects(t *testing.T) {
	in := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  image: ghcr.io/org/web:1 # {\"$imagepolicy\": \"apps:web\"}\n"
	_, changes, err := UpdateBytes([]byte(in), testPolicies)
	if err != nil {
		t.Fatal(err)
	}
	want := map[ObjectIdentifier][]Change{
		{Name: "web", Namespace: "apps", APIVersion: "apps/v1", Kind: "Deployment"}: {{OldValue: "ghcr.io/org/web:1", NewValue: "ghcr.io/org/web:1.2.0", Setter: "apps:web"}},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("changes %v, want %v", changes, want)
	}
}

func TestUpdateBytesRefusesWhatItCannotSplice(t *testing.T) {
	for name, in := range map[string]string{
		"block scalar":     "image: | # {\"$imagepolicy\": \"apps:web\"}\n  ghcr.io/org/web:1\n",
		"multi-line plain": "image: ghcr.io/org/web:1 # {\"$imagepolicy\": \"apps:web\"}\n  more\n",
		"does not parse":   "image: [unclosed # {\"$imagepolicy\": \"apps:web\"}\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, _, err := UpdateBytes([]byte(in), testPolicies)
			if err == nil && string(got) != in {
				t.Fatalf("rewrote a value it cannot splice safely:\n%s", got)
			}
			if name != "multi-line plain" && err == nil {
				t.Fatalf("no error for %s", name)
			}
		})
	}
}

func TestUpdateBytesQuotedOverSeveralLines(t *testing.T) {
	in := "image: \"ghcr.io/org/web:1\n  x\" # {\"$imagepolicy\": \"apps:web\"}\nnext: 1\n"
	got, _, err := UpdateBytes([]byte(in), testPolicies)
	if err != nil {
		t.Fatal(err)
	}
	if want := "image: \"ghcr.io/org/web:1.2.0\" # {\"$imagepolicy\": \"apps:web\"}\nnext: 1\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEncode(t *testing.T) {
	for _, tt := range []struct{ v, want string }{
		{"ghcr.io/a:1", "ghcr.io/a:1"}, {"1.10", `"1.10"`}, {"yes", `"yes"`}, {"true", `"true"`},
		{"null", `"null"`}, {"a #b", `"a #b"`}, {"-x", "-x"}, {"*x", `"*x"`}, {"", `""`},
	} {
		if got := encode(tt.v, 0, false); got != tt.want {
			t.Errorf("encode(%q) = %s, want %s", tt.v, got, tt.want)
		}
	}
	if got := encode("it's", yaml.SingleQuotedStyle, false); got != "'it''s'" {
		t.Errorf("single-quoted style lost: %s", got)
	}
}
