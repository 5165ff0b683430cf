package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Inputs is what one build read from its source tree: every path it looked
// up (a file read, a folder listed, a path tested) and every glob pattern it
// matched, relative to the root. A build is a function of its options and of
// what it read, so a tree on which all of these look the same (Digest)
// builds to the same objects, whatever else changed in it: another app's
// folder of a monorepo, say. What the build read beside the tree (a remote
// base, a walk of a folder, a path outside the root) cannot be looked at
// again that way: such Inputs are not Replayable, and their tree must be
// built every time.
type Inputs struct {
	paths, globs []string
	replayable   bool
}

// Replayable reports whether Digest can tell that another tree would build
// the same.
func (in *Inputs) Replayable() bool { return in != nil && in.replayable }

// Digest fingerprints what the build read, as it is in the tree at root:
// for each path, where it leads (symlinks resolved), and the content of the
// file or the entries of the folder there, or why it cannot be read; for
// each pattern, its matches. Equal digests of two trees mean the build
// would read the same bytes from both. Only the disk counts: what the build
// itself wrote into its overlay follows from what it read and its options.
func (in *Inputs) Digest(root string) (string, error) {
	if !in.Replayable() {
		return "", fmt.Errorf("the build read outside its source tree")
	}
	realRoot, err := resolveRoot(root)
	if err != nil {
		return "", err
	}
	fsys := newConfinedFS(realRoot)
	h := sha256.New()
	for _, p := range in.paths {
		fmt.Fprintf(h, "path %q\n", p)
		fingerprint(h, fsys, filepath.Join(realRoot, filepath.FromSlash(p)))
	}
	for _, g := range in.globs {
		fmt.Fprintf(h, "glob %q\n", g)
		matches, err := fsys.Glob(filepath.Join(realRoot, filepath.FromSlash(g)))
		if err != nil {
			fmt.Fprintf(h, "error %q\n", hideRoot(err, realRoot))
			continue
		}
		for _, m := range matches {
			fmt.Fprintf(h, "match %q\n", relTo(realRoot, m))
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// fingerprint writes what a lookup of abs finds in fsys.
func fingerprint(h hash.Hash, fsys *confinedFS, abs string) {
	real, err := fsys.resolve(abs)
	if err != nil {
		fmt.Fprintf(h, "refused %q\n", hideRoot(err, fsys.root))
		return
	}
	fmt.Fprintf(h, "at %q\n", relTo(fsys.root, real))
	info, err := os.Stat(real)
	switch {
	case err != nil:
		fmt.Fprintf(h, "absent\n")
	case info.IsDir():
		entries, err := os.ReadDir(real)
		if err != nil {
			fmt.Fprintf(h, "unreadable folder\n")
			return
		}
		for _, e := range entries { // sorted by name
			fmt.Fprintf(h, "entry %q %s\n", e.Name(), e.Type())
		}
	case info.Mode().IsRegular():
		f, err := os.Open(real)
		if err != nil {
			fmt.Fprintf(h, "unreadable file\n")
			return
		}
		defer f.Close()
		fmt.Fprintf(h, "file %d\n", info.Size())
		if _, err := io.Copy(h, f); err != nil {
			fmt.Fprintf(h, "unreadable file\n")
		}
	default:
		fmt.Fprintf(h, "other %s\n", info.Mode().Type())
	}
}

func relTo(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

func hideRoot(err error, root string) string {
	return strings.ReplaceAll(err.Error(), root, "")
}

// recorder collects the Inputs of one build as the confined file system
// serves it.
type recorder struct {
	root string

	mu      sync.Mutex
	paths   map[string]bool
	globs   map[string]bool
	outside bool
}

func newRecorder(root string) *recorder {
	return &recorder{root: root, paths: map[string]bool{}, globs: map[string]bool{}}
}

// path records a lookup of abs (absolute, clean).
func (r *recorder) path(abs string) { r.add(r.paths, abs) }

// glob records a glob pattern (absolute).
func (r *recorder) glob(pattern string) { r.add(r.globs, filepath.Clean(pattern)) }

// beyond records a read that the recorder cannot look at again.
func (r *recorder) beyond() {
	r.mu.Lock()
	r.outside = true
	r.mu.Unlock()
}

func (r *recorder) add(set map[string]bool, abs string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !within(abs, r.root) {
		r.outside = true
		return
	}
	set[relTo(r.root, abs)] = true
}

func (r *recorder) inputs() *Inputs {
	r.mu.Lock()
	defer r.mu.Unlock()
	paths, globs := keys(r.paths), keys(r.globs)
	return &Inputs{paths: paths, globs: globs, replayable: !r.outside}
}

func keys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// BuildInputs is Build, and also returns what the build read (see Inputs).
// A kustomization that refers to a remote base or URL (which kustomize
// fetches itself, past the file system) gives Inputs that are not
// Replayable.
func BuildInputs(root string, opts Options) ([]*unstructured.Unstructured, *Inputs, error) {
	var rec *recorder
	objects, err := build(root, opts, func(realRoot string) *recorder {
		rec = newRecorder(realRoot)
		return rec
	})
	if err != nil || rec == nil {
		return objects, nil, err
	}
	return objects, rec.inputs(), nil
}
