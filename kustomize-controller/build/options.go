package build

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"
)

// Options says what to build and how, as a Kustomization's spec does.
type Options struct {
	// Path is the folder to build, relative to the root; "" or "./" is the
	// root itself. Like Flux, a path cannot climb above the root: "../x"
	// is read as "x".
	Path string

	// TargetNamespace, NamePrefix and NameSuffix override the kustomization's
	// namespace, namePrefix and nameSuffix when set.
	TargetNamespace, NamePrefix, NameSuffix string

	// Images are merged into the kustomization's images by name, as Flux
	// does: an entry replaces the kustomization's entry of the same name,
	// whole, and is appended when there is none.
	Images []kustomizev1.Image

	// Patches are appended to the kustomization's own.
	Patches []kustomizev1.Patch

	// Components are appended to the kustomization's components; their paths
	// are relative to Path. With IgnoreMissingComponents, those that do not
	// exist are dropped instead of failing the build.
	Components              []string
	IgnoreMissingComponents bool

	// BuildMetadata, when set, replaces the buildMetadata of the
	// kustomization (kustomize's originAnnotations and
	// transformerAnnotations), as Flux's spec.buildMetadata does.
	BuildMetadata []string

	// NoRemoteBases refuses resources and components fetched from the
	// network (git repositories and HTTP URLs).
	NoRemoteBases bool

	// Labels are set on every built object after the build, over the labels
	// the object already has (the owner labels of the Kustomization).
	Labels map[string]string
}

// OptionsFor returns the build options of a Kustomization's spec (Labels left empty).
// spec.commonMetadata is not among them: like Flux, it is set after post-build
// substitution, by PostBuild.
func OptionsFor(spec *kustomizev1.KustomizationSpec) Options {
	opts := Options{
		Path:                    spec.Path,
		TargetNamespace:         spec.TargetNamespace,
		NamePrefix:              spec.NamePrefix,
		NameSuffix:              spec.NameSuffix,
		Images:                  slices.Clone(spec.Images),
		Components:              slices.Clone(spec.Components),
		IgnoreMissingComponents: spec.IgnoreMissingComponents,
	}
	for _, m := range spec.BuildMetadata {
		opts.BuildMetadata = append(opts.BuildMetadata, string(m))
	}
	for _, p := range spec.Patches {
		opts.Patches = append(opts.Patches, *p.DeepCopy())
	}
	return opts
}

// check refuses what Flux refuses in the options before building:
// components must be local paths relative to Path, never remote or
// absolute (ignoreMissingComponents does not change that).
func (o *Options) check() error {
	for _, c := range o.Components {
		if !isLocalRelative(c) {
			return fmt.Errorf("spec.components: '%s' must be a local path relative to spec.path, "+
				"not a remote location or an absolute path", c)
		}
	}
	return nil
}

// remotePrefixes are the beginnings by which kustomize recognises a
// repository rather than a path.
var remotePrefixes = []string{"git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/"}

// isLocalRelative reports whether a component path is neither remote nor
// absolute (also as a file:// URL), as Flux checks it.
func isLocalRelative(p string) bool {
	lower := strings.ToLower(p)
	for _, prefix := range remotePrefixes {
		if len(lower) > len(prefix) && strings.HasPrefix(lower, prefix) {
			return false
		}
	}
	return !filepath.IsAbs(p) && !filepath.IsAbs(strings.TrimPrefix(lower, "file://"))
}

// changesKustomization reports whether opts has anything to write into the
// folder's kustomization file.
func (o *Options) changesKustomization() bool {
	return o.TargetNamespace != "" || o.NamePrefix != "" || o.NameSuffix != "" ||
		len(o.Images) > 0 || len(o.Patches) > 0 || len(o.Components) > 0 || len(o.BuildMetadata) > 0
}

// applyTo writes the spec fields into kus, the kustomization of dir.
func (o *Options) applyTo(kus *kustypes.Kustomization, fsys *confinedFS, dir string) error {
	if o.TargetNamespace != "" {
		kus.Namespace = o.TargetNamespace
	}
	if o.NamePrefix != "" {
		kus.NamePrefix = o.NamePrefix
	}
	if o.NameSuffix != "" {
		kus.NameSuffix = o.NameSuffix
	}
	if len(o.BuildMetadata) > 0 {
		kus.BuildMetadata = slices.Clone(o.BuildMetadata)
	}
	for _, img := range o.Images {
		kus.Images = mergeImage(kus.Images, kustypes.Image{
			Name: img.Name, NewName: img.NewName, NewTag: img.NewTag, Digest: img.Digest,
		})
	}
	for _, p := range o.Patches {
		kus.Patches = append(kus.Patches, kustypes.Patch{Patch: p.Patch, Target: selector(p.Target)})
	}
	for _, c := range o.Components {
		if !fsys.Exists(filepath.Join(dir, filepath.FromSlash(c))) {
			if o.IgnoreMissingComponents {
				continue
			}
			return fmt.Errorf("spec.components: '%s' is not in the source: fix the path (it is relative to "+
				"spec.path), add the component, or set spec.ignoreMissingComponents to leave out those that are missing", c)
		}
		kus.Components = append(kus.Components, c)
	}
	return nil
}

// mergeImage puts img in place of the entry of images with the same name, or
// appends it. Replacing rather than appending matters: kustomize applies
// image entries one after the other, so after an entry that renames the
// image, a second entry for the old name would no longer match.
func mergeImage(images []kustypes.Image, img kustypes.Image) []kustypes.Image {
	for i := range images {
		if images[i].Name == img.Name {
			images[i] = img
			return images
		}
	}
	return append(images, img)
}

// selector converts a Kustomization patch target to kustomize's.
func selector(s *kustomizev1.Selector) *kustypes.Selector {
	if s == nil {
		return nil
	}
	return &kustypes.Selector{
		ResId: resid.ResId{
			Gvk:       resid.Gvk{Group: s.Group, Version: s.Version, Kind: s.Kind},
			Name:      s.Name,
			Namespace: s.Namespace,
		},
		AnnotationSelector: s.AnnotationSelector,
		LabelSelector:      s.LabelSelector,
	}
}
