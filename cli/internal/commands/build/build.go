// Package build is `tide build`: build a Kustomization from a local
// checkout exactly as the kustomize-controller would, and print the result.
package build

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/localbuild"
)

// New returns `tide build` with its kustomization subcommand.
func New(opts *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build a Kustomization from local files, or render a HelmRelease, as the controller would",
	}
	cmd.AddCommand(newKustomization(opts), newHelmRelease(opts))
	return cmd
}

func newKustomization(opts *kube.Options) *cobra.Command {
	in := &localbuild.Input{}
	cmd := &cobra.Command{
		Use:     "kustomization NAME --path DIR",
		Aliases: []string{"ks"},
		Short:   "Build a Kustomization from a local folder and print the objects as YAML",
		Long: `Build reads the Kustomization NAME from the cluster (or from --kustomization-file),
builds the local folder --path, which stands for the folder its spec.path points at,
with the spec's fields (targetNamespace, namePrefix, patches, images, components...)
and the owner labels, runs the post-build variable substitution with the variables
of its substituteFrom ConfigMaps and Secrets, and prints the objects as multi-document
YAML: exactly what the controller would apply.

Like flux build, the output is printed as built: values of Secrets in the folder,
and variables substituted from Secrets, appear as they are. Use 'tide diff' to
compare with the cluster with Secrets masked.

Bases and patches may reach anywhere inside the Git checkout that holds --path
(the controller's source artifact), and nowhere outside it.`,
		Example: `  # Build the local manifests as the cluster's Kustomization would
  tide build kustomization apps --path ./clusters/prod/apps

  # Build with a local Kustomization definition, without a cluster
  tide build kustomization apps --path ./apps --kustomization-file ./apps.yaml --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if in.DryRun && in.KustomizationFile == "" {
				return errors.New("--dry-run needs --kustomization-file: without the cluster, the Kustomization must come from a file")
			}
			in.Name, in.Namespace = args[0], opts.Namespace
			_, objects, _, err := localbuild.Run(cmd.Context(), *in, opts.Client)
			if err != nil {
				return err
			}
			return localbuild.WriteYAML(cmd.OutOrStdout(), objects)
		},
	}
	in.BindFlags(cmd.Flags())
	cmd.Flags().BoolVar(&in.DryRun, "dry-run", false, "Do not contact the cluster (needs --kustomization-file); postBuild.substituteFrom is skipped.")
	return cmd
}
