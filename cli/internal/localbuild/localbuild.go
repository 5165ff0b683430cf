package localbuild

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/build"
)

// Get reads the Kustomization namespace/name from the cluster.
func Get(ctx context.Context, reader client.Reader, namespace, name string) (*kustomizev1.Kustomization, error) {
	ks := &kustomizev1.Kustomization{}
	err := reader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, ks)
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("Kustomization '%s/%s' not found: check the name and -n/--namespace, "+
			"or pass its YAML with --kustomization-file", namespace, name)
	}
	if err != nil {
		return nil, fmt.Errorf("get Kustomization '%s/%s': %w", namespace, name, err)
	}
	return ks, nil
}

// ReadFile reads a Kustomization from a local YAML file. Its name must be
// name; its namespace defaults to namespace.
func ReadFile(path, namespace, name string) (*kustomizev1.Kustomization, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read --kustomization-file: %w", err)
	}
	ks := &kustomizev1.Kustomization{}
	if err := yaml.Unmarshal(data, ks); err != nil {
		return nil, fmt.Errorf("--kustomization-file '%s' is not a Kustomization: %w", path, err)
	}
	if ks.Kind != "Kustomization" || ks.GroupVersionKind().Group != kustomizev1.GroupVersion.Group {
		return nil, fmt.Errorf("--kustomization-file '%s' holds a %s %s, not a %s Kustomization",
			path, ks.APIVersion, ks.Kind, kustomizev1.GroupVersion.Group)
	}
	if ks.Name != name {
		return nil, fmt.Errorf("--kustomization-file '%s' is the Kustomization '%s', not '%s'", path, ks.Name, name)
	}
	if ks.Namespace == "" {
		ks.Namespace = namespace
	}
	return ks, nil
}

// NeedsCluster reports whether building ks reads ConfigMaps or Secrets.
func NeedsCluster(ks *kustomizev1.Kustomization) bool {
	return ks.Spec.PostBuild != nil && len(ks.Spec.PostBuild.SubstituteFrom) > 0
}

// Build builds dir, the local folder that ks's spec.path points at, as the
// kustomize-controller does: kustomize with the spec's fields, the owner
// labels, then build.PostBuild (post-build substitution with the variables
// of spec.postBuild, reading substituteFrom through reader, and
// spec.commonMetadata). With a nil reader (a dry run), substituteFrom is
// skipped and only spec.postBuild.substitute is used.
//
// The build's root, which bases and patches may not leave, is the Git
// checkout that holds dir, as it is the source artifact for the
// controller; outside a checkout it is dir itself.
func Build(ctx context.Context, reader client.Reader, ks *kustomizev1.Kustomization, dir string) ([]*unstructured.Unstructured, error) {
	root, rel, err := rootOf(dir)
	if err != nil {
		return nil, err
	}
	opts := build.OptionsFor(&ks.Spec)
	opts.Path = rel
	opts.Labels = build.OwnerLabels(ks)
	objects, err := build.Build(root, opts)
	if err != nil {
		return nil, err
	}
	return postBuild(ctx, reader, ks, objects)
}

// postBuild runs build.PostBuild as the controller's build step does, with
// strict substitution, the controller's default.
func postBuild(ctx context.Context, reader client.Reader, ks *kustomizev1.Kustomization, objects []*unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	dryRun := reader == nil && NeedsCluster(ks)
	if dryRun {
		// Vars reads nothing through the reader without substituteFrom.
		ks = ks.DeepCopy()
		ks.Spec.PostBuild.SubstituteFrom = nil
	}
	vars, err := build.Vars(ctx, reader, ks)
	if err != nil {
		return nil, err
	}
	objects, err = build.PostBuild(objects, &ks.Spec, vars, build.PostBuildOptions{})
	if err != nil && dryRun {
		return nil, fmt.Errorf("%w (the dry run skipped postBuild.substituteFrom)", err)
	}
	return objects, err
}

// rootOf returns the Git checkout that holds dir (or dir itself outside
// one) and dir's path relative to it.
func rootOf(dir string) (root, rel string, err error) {
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", "", fmt.Errorf("--path '%s' cannot be read: %w", dir, err)
	}
	info, err := os.Stat(abs)
	if err != nil || !info.IsDir() {
		return "", "", fmt.Errorf("--path '%s' is not a directory", dir)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			rel, err := filepath.Rel(d, abs)
			return d, filepath.ToSlash(rel), err
		}
		if filepath.Dir(d) == d {
			return abs, "", nil
		}
	}
}

// WriteYAML writes objects as a multi-document YAML stream.
func WriteYAML(w io.Writer, objects []*unstructured.Unstructured) error {
	var buf bytes.Buffer
	for i, obj := range objects {
		if i > 0 {
			buf.WriteString("---\n")
		}
		data, err := yaml.Marshal(obj.Object)
		if err != nil {
			return fmt.Errorf("write %s/%s as YAML: %w", obj.GetKind(), obj.GetName(), err)
		}
		buf.Write(data)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
