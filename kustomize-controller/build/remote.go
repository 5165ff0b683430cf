package build

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	kustypes "sigs.k8s.io/kustomize/api/types"
)

// refuseRemoteBases walks the kustomization of dir and those of the local
// bases and components it reaches, and fails on the first reference to a
// remote location (a git repository or an HTTP URL), before kustomize gets
// a chance to fetch it. Files that do not parse are left to kustomize to
// report.
func refuseRemoteBases(fsys *confinedFS, dir string) error {
	return walkRemote(fsys, dir, map[string]bool{})
}

func walkRemote(fsys *confinedFS, dir string, seen map[string]bool) error {
	real, err := fsys.resolve(dir)
	if err != nil || seen[real] {
		return nil
	}
	seen[real] = true
	file := kustomizationFile(fsys, dir)
	if file == "" {
		return nil
	}
	data, err := fsys.ReadFile(file)
	if err != nil {
		return nil
	}
	var kus kustypes.Kustomization
	if err := kus.Unmarshal(data); err != nil {
		return nil
	}
	for _, ref := range references(&kus) {
		if isRemote(ref.path) {
			return fmt.Errorf("%w: '%s' refers to the remote %s '%s', but this controller runs with "+
				"--no-remote-bases: copy it into the source (or into a source of its own) instead",
				ErrRemoteBase, file, ref.field, ref.path)
		}
	}
	for _, ref := range references(&kus) {
		if !ref.base {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(ref.path))
		if fsys.IsDir(p) {
			if err := walkRemote(fsys, p, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// reference is a location a kustomization file names.
type reference struct {
	field string // what it is, for messages
	path  string
	base  bool // a folder that may hold a kustomization of its own
}

// references lists every location kus may load, remote or not.
func references(kus *kustypes.Kustomization) []reference {
	var refs []reference
	add := func(field string, base bool, paths ...string) {
		for _, p := range paths {
			if p != "" {
				refs = append(refs, reference{field: field, path: p, base: base})
			}
		}
	}
	add("resource", true, kus.Resources...)
	add("base", true, kus.Bases...)
	add("component", true, kus.Components...)
	add("generator", true, kus.Generators...)
	add("transformer", true, kus.Transformers...)
	add("validator", true, kus.Validators...)
	add("CRD file", false, kus.Crds...)
	add("configuration file", false, kus.Configurations...)
	add("OpenAPI schema", false, kus.OpenAPI["path"])
	for _, p := range append(append([]kustypes.Patch{}, kus.Patches...), kus.PatchesJson6902...) {
		add("patch file", false, p.Path)
	}
	for _, p := range kus.PatchesStrategicMerge {
		// An inline patch is a YAML document, never a one-line location.
		if !strings.Contains(string(p), "\n") {
			add("patch file", false, string(p))
		}
	}
	sources := func(s kustypes.KvPairSources) {
		for _, f := range s.FileSources {
			// "key=path" or "path"
			if _, path, ok := strings.Cut(f, "="); ok {
				f = path
			}
			add("generator file", false, f)
		}
		add("generator env file", false, s.EnvSources...)
		add("generator env file", false, s.EnvSource)
	}
	for _, g := range kus.ConfigMapGenerator {
		sources(g.KvPairSources)
	}
	for _, g := range kus.SecretGenerator {
		sources(g.KvPairSources)
	}
	return refs
}

// scpLike matches git's "user@host:path" form, as kustomize reads it.
var scpLike = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// isRemote reports whether a kustomization reference points at the network
// rather than at a file of the source. It errs on the side of "remote":
// anything kustomize could read as a git repository or an HTTP URL counts.
func isRemote(ref string) bool {
	s := strings.TrimSpace(ref)
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "://"): // http, https, ssh, git, file
	case strings.HasPrefix(l, "git::"), strings.HasPrefix(l, "gh:"):
	case strings.HasPrefix(l, "github.com"), strings.HasPrefix(l, "gitlab.com"),
		strings.HasPrefix(l, "bitbucket.org"), strings.HasPrefix(l, "dev.azure.com"):
	case scpLike.MatchString(s):
	case strings.Contains(l, "?ref="), strings.Contains(l, "?version="),
		strings.Contains(l, "&ref="), strings.Contains(l, "?submodules="), strings.Contains(l, "?timeout="):
	case strings.Contains(s, "//"), strings.Contains(s, "_git/"):
	default:
		return false
	}
	return true
}
