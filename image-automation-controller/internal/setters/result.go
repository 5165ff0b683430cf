package setters

// Result is what an update changed, shaped as Flux's commit message template
// data `.Changed`: file -> object -> changes, with the Changes and Objects
// helpers templates use.
type Result struct {
	// FileChanges maps a file path, relative to the updated folder, to the
	// changes made in it.
	FileChanges map[string]ObjectChanges
}

// ObjectChanges maps an object to the changes made in it.
type ObjectChanges map[ObjectIdentifier][]Change

// ObjectIdentifier names an object in a file; a kustomization.yaml has no name.
type ObjectIdentifier struct {
	Name, Namespace, APIVersion, Kind string
}

// Change is one rewritten value and the setter ("ns:name", "ns:name:tag", ...)
// that caused it.
type Change struct {
	OldValue string
	NewValue string
	Setter   string
}

// Changes returns every distinct change, whatever file or object it is in.
func (r Result) Changes() []Change {
	seen := map[Change]bool{}
	var out []Change
	for _, objects := range r.FileChanges {
		for _, changes := range objects {
			for _, c := range changes {
				if !seen[c] {
					seen[c] = true
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Objects returns the changes per object, whatever file they are in.
func (r Result) Objects() ObjectChanges {
	out := ObjectChanges{}
	for _, objects := range r.FileChanges {
		for id, changes := range objects {
			out[id] = append(out[id], changes...)
		}
	}
	return out
}

// Policies returns the "namespace:name" of every policy that changed a value.
func (r Result) Policies() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.Changes() {
		p := PolicyOf(c.Setter)
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// Empty reports whether nothing changed.
func (r Result) Empty() bool { return len(r.FileChanges) == 0 }

func (r *Result) add(file string, id ObjectIdentifier, c Change) {
	if r.FileChanges == nil {
		r.FileChanges = map[string]ObjectChanges{}
	}
	if r.FileChanges[file] == nil {
		r.FileChanges[file] = ObjectChanges{}
	}
	r.FileChanges[file][id] = append(r.FileChanges[file][id], c)
}
