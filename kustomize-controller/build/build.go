package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"
)

// The kinds of failure a user fixes in the Kustomization or in the source.
// Test them with errors.Is; the error itself carries the full message.
var (
	// ErrPathNotFound: spec.path is not a directory of the source.
	ErrPathNotFound = errors.New("kustomization path not found")
	// ErrRemoteBase: a kustomization refers to a remote base while they are refused.
	ErrRemoteBase = errors.New("remote bases are not allowed")
)

// kustomizeMu serialises kustomize runs, for two reasons. The OpenAPI
// schema kustomize uses for strategic merge patches is process-wide state in
// kyaml, and each run sets it from its own kustomization (the openapi field),
// so two runs at once could patch with each other's schema. And the confined
// file system recognises the clones of remote bases of a run as the
// kustomize-<digits> temporary directories that appeared during it, which
// only holds if no other run clones at the same time. Everything else a
// build does (reading, generating, checking, converting) runs in parallel.
var kustomizeMu sync.Mutex

// Build builds opts.Path of the tree at root. root is SHARED and READ-ONLY (other builds use it
// concurrently): never write into it. Returns objects in kustomize's output order.
func Build(root string, opts Options) ([]*unstructured.Unstructured, error) {
	return build(root, opts, nil)
}

// build is Build; with record, what the build reads is recorded (see
// BuildInputs).
func build(root string, opts Options, record func(realRoot string) *recorder) ([]*unstructured.Unstructured, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	realRoot, err := resolveRoot(root)
	if err != nil {
		return nil, err
	}
	fsys := newConfinedFS(realRoot)
	if record != nil {
		fsys.rec = record(realRoot)
	}
	dir, err := folder(fsys, opts.Path)
	if err != nil {
		return nil, err
	}
	msgs := pathCleaner(root, realRoot)
	rel := shownPath(opts.Path)

	err = prepareKustomization(fsys, dir, &opts)
	if errors.Is(err, errNothingToBuild) {
		return nil, nil
	}
	if err != nil {
		return nil, &cleanError{msg: msgs.Replace(err.Error()), cause: err}
	}
	if opts.NoRemoteBases {
		if err := refuseRemoteBases(fsys, dir); err != nil {
			return nil, &cleanError{msg: msgs.Replace(err.Error()), cause: err}
		}
	} else if fsys.rec != nil && refuseRemoteBases(fsys, dir) != nil {
		fsys.rec.beyond() // kustomize fetches a remote reference itself
	}
	resources, err := runKustomize(fsys, dir, !opts.NoRemoteBases)
	if err != nil {
		return nil, &cleanError{
			msg:   fmt.Sprintf("kustomize build of '%s' failed: %s", rel, msgs.Replace(err.Error())),
			cause: err,
		}
	}
	objects, err := toUnstructured(resources)
	if err != nil {
		return nil, fmt.Errorf("kustomize build of '%s': %w", rel, err)
	}
	setLabels(objects, opts.Labels)
	return objects, nil
}

// cleanError is an error whose message was rewritten for the user (paths
// made relative to the root) while the original stays reachable.
type cleanError struct {
	msg   string
	cause error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.cause }

// resolveRoot returns the absolute, symlink-free path of the source root.
func resolveRoot(root string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("source root '%s': %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("source root '%s' cannot be read: %w", root, err)
	}
	if info, err := os.Stat(real); err != nil || !info.IsDir() {
		return "", fmt.Errorf("source root '%s' is not a directory", root)
	}
	return real, nil
}

// folder returns the resolved directory that path names under the root.
// Like Flux, the path is joined to the root as if the root were '/', so
// '..' cannot climb above it.
func folder(fsys *confinedFS, path string) (string, error) {
	shown := path
	if shown == "" {
		shown = "./"
	}
	joined := filepath.Join(fsys.root, filepath.Clean(string(filepath.Separator)+filepath.FromSlash(path)))
	real, err := fsys.resolve(joined)
	if err != nil {
		return "", fmt.Errorf("%w: '%s' leads outside the source; check spec.path", ErrPathNotFound, shown)
	}
	info, err := os.Stat(real)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w: '%s' does not exist in the source; check spec.path", ErrPathNotFound, shown)
	case !info.IsDir():
		return "", fmt.Errorf("%w: '%s' is a file, not a directory; check spec.path", ErrPathNotFound, shown)
	}
	return real, nil
}

// kustomizationFile returns the path of dir's kustomization file, or "" if
// it has none. A file that exists but cannot be read (a symlink leaving the
// root) still counts, so that reading it reports why.
func kustomizationFile(fsys *confinedFS, dir string) string {
	real, err := fsys.resolve(dir)
	if err != nil {
		return ""
	}
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(real, name)
		if _, ok := fsys.inOverlay(p); ok {
			return p
		}
		if _, err := os.Lstat(p); err == nil {
			return p
		}
	}
	return ""
}

// prepareKustomization makes sure dir has a kustomization that carries the
// spec fields of opts: it generates one for a folder of plain manifests,
// and rewrites the existing one when there is anything to add. Both go to
// the overlay only.
// errNothingToBuild says the folder has no manifests and no kustomization.
var errNothingToBuild = errors.New("nothing to build")

func prepareKustomization(fsys *confinedFS, dir string, opts *Options) error {
	file := kustomizationFile(fsys, dir)
	var kus *kustypes.Kustomization
	if file == "" {
		generated, err := generateKustomization(fsys, dir)
		if err != nil {
			return fmt.Errorf("cannot generate a kustomization.yaml for '%s', which has none: %w", dir, err)
		}
		// A folder without manifests builds to nothing, as in Flux (a
		// placeholder folder is common); kustomize itself refuses an empty
		// kustomization. Pruning everything because of it is refused by the
		// reconciler's empty-build guard, not here.
		if len(generated.Resources) == 0 && len(opts.Components) == 0 {
			return errNothingToBuild
		}
		kus = generated
		file = filepath.Join(dir, konfig.DefaultKustomizationFileName())
	} else {
		if !opts.changesKustomization() {
			return nil
		}
		data, err := fsys.ReadFile(file)
		if err != nil {
			return fmt.Errorf("cannot read kustomization file: %w", err)
		}
		kus = &kustypes.Kustomization{}
		if err := kus.Unmarshal(data); err != nil {
			return fmt.Errorf("kustomization file '%s' is invalid: %w", file, err)
		}
		if kus.Kind == kustypes.ComponentKind {
			return fmt.Errorf("'%s' is a kustomize Component, which cannot be built on its own; "+
				"point spec.path at a Kustomization that lists it under components", file)
		}
	}
	if err := opts.applyTo(kus, fsys, dir); err != nil {
		return err
	}
	data, err := yaml.Marshal(kus)
	if err != nil {
		return fmt.Errorf("write kustomization for '%s': %w", dir, err)
	}
	return fsys.WriteFile(file, data)
}

// buildOptions are Flux's kustomize options: files may be loaded from
// anywhere (the confined file system keeps them in the root, so bases in
// sibling folders work); plugins, exec functions and Helm are off; objects
// keep the order of the kustomization (a sortOptions field still applies),
// since the applier orders them by kind itself.
func buildOptions() *krusty.Options {
	o := krusty.MakeDefaultOptions()
	o.LoadRestrictions = kustypes.LoadRestrictionsNone
	o.PluginConfig = kustypes.DisabledPluginConfig()
	o.Reorder = krusty.ReorderOptionNone
	return o
}

// runKustomize runs kustomize on dir. With remoteBases, kustomize may clone
// remote bases, and the build may read those clones.
func runKustomize(fsys *confinedFS, dir string, remoteBases bool) (resmap.ResMap, error) {
	kustomizeMu.Lock()
	defer kustomizeMu.Unlock()
	if remoteBases {
		if err := fsys.allowClones(); err != nil {
			return nil, err
		}
	}
	return krusty.MakeKustomizer(buildOptions()).Run(fsys, dir)
}

// toUnstructured converts kustomize's output, keeping its order. It goes
// through JSON so that numbers become int64 or float64, as unstructured
// objects must hold.
func toUnstructured(m resmap.ResMap) ([]*unstructured.Unstructured, error) {
	out := make([]*unstructured.Unstructured, 0, m.Size())
	for _, res := range m.Resources() {
		data, err := res.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", res.CurId(), err)
		}
		obj := map[string]any{}
		if err := utiljson.Unmarshal(data, &obj); err != nil {
			return nil, fmt.Errorf("decode %s: %w", res.CurId(), err)
		}
		out = append(out, &unstructured.Unstructured{Object: obj})
	}
	return out, nil
}

// setLabels sets labels on every object, over the labels it has.
func setLabels(objects []*unstructured.Unstructured, labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	for _, obj := range objects {
		l := obj.GetLabels()
		if l == nil {
			l = make(map[string]string, len(labels))
		}
		for k, v := range labels {
			l[k] = v
		}
		obj.SetLabels(l)
	}
}

// shownPath is spec.path as messages show it: clean, relative to the root,
// "." for the root itself.
func shownPath(path string) string {
	clean := filepath.ToSlash(filepath.Clean("/" + filepath.FromSlash(path)))
	if clean == "/" {
		return "."
	}
	return clean[1:]
}

// pathCleaner rewrites the absolute paths of the root in messages into
// paths relative to it: the user knows the repository, not the
// controller's cache directory.
func pathCleaner(roots ...string) *strings.Replacer {
	var abs []string
	for _, r := range roots {
		if a, err := filepath.Abs(r); err == nil && !slices.Contains(abs, a) {
			abs = append(abs, a)
		}
	}
	// The replacer tries its pairs in order: longest root first.
	slices.SortFunc(abs, func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, a := range abs {
		pairs = append(pairs, a+string(filepath.Separator), "", a, ".")
	}
	return strings.NewReplacer(pairs...)
}
