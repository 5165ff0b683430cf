package localbuild

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
)

// Input says which Kustomization to build and from where.
type Input struct {
	// Name and Namespace of the Kustomization.
	Name, Namespace string
	// Dir is the local folder its spec.path points at.
	Dir string
	// KustomizationFile, when set, is a local YAML file to read the
	// Kustomization from instead of the cluster.
	KustomizationFile string
	// DryRun builds without the cluster: substituteFrom is skipped. It
	// needs KustomizationFile.
	DryRun bool
}

// BindFlags registers the flags that `tide build` and `tide diff` share:
// --path (Dir, required) and --kustomization-file (KustomizationFile).
// Both commands promise the same local build, so they take these flags
// from one place. Name and Namespace come from the arguments and -n, and
// only `tide build` offers --dry-run.
func (in *Input) BindFlags(fs *pflag.FlagSet) {
	fs.StringVar(&in.Dir, "path", "", "Local folder that matches the Kustomization's spec.path.")
	fs.StringVar(&in.KustomizationFile, "kustomization-file", "", "Local YAML file with the Kustomization, read instead of the cluster's.")
	_ = cobra.MarkFlagRequired(fs, "path")
}

// Connect returns a client to the cluster; it is only called when the
// cluster is needed.
type Connect func(context.Context) (client.Client, error)

// Run reads the Kustomization in describes and builds in.Dir with it. The
// client is nil when the cluster was not needed.
func Run(ctx context.Context, in Input, connect Connect) (*kustomizev1.Kustomization, []*unstructured.Unstructured, client.Client, error) {
	var c client.Client
	var ks *kustomizev1.Kustomization
	var err error
	if in.KustomizationFile != "" {
		ks, err = ReadFile(in.KustomizationFile, in.Namespace, in.Name)
	} else {
		if c, err = connect(ctx); err != nil {
			return nil, nil, nil, err
		}
		ks, err = Get(ctx, c, in.Namespace, in.Name)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	var reader client.Reader
	if !in.DryRun && NeedsCluster(ks) {
		if c == nil {
			if c, err = connect(ctx); err != nil {
				return nil, nil, nil, err
			}
		}
		reader = c
	}
	objects, err := Build(ctx, reader, ks, in.Dir)
	if err != nil {
		return nil, nil, nil, err
	}
	return ks, objects, c, nil
}
