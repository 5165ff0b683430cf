// Package tree is `tide tree`: what a Kustomization applied, as a tree.
package tree

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/inventorytree"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
)

// New returns `tide tree` with its kustomization subcommand.
func New(opts *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tree",
		Short: "Show what a Flux resource applied, as a tree",
	}
	cmd.AddCommand(newKustomization(opts))
	return cmd
}

// kustomizationOptions are the flags of `tide tree kustomization`.
type kustomizationOptions struct {
	output string
}

func newKustomization(opts *kube.Options) *cobra.Command {
	o := &kustomizationOptions{}
	cmd := &cobra.Command{
		Use:     "kustomization NAME",
		Aliases: []string{"ks"},
		Short:   "Show the objects a Kustomization applied, nested Kustomizations expanded",
		Long: `Tree reads the Kustomization's status.inventory and prints its objects as a tree;
an object that is itself a Kustomization is expanded with the objects it applied.`,
		Example: `  tide tree kustomization flux-system
  tide tree ks apps -n apps -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output != "table" && o.output != "json" {
				return fmt.Errorf("--output must be table or json, not %q", o.output)
			}
			c, err := opts.Client(cmd.Context())
			if err != nil {
				return err
			}
			root, err := inventorytree.Read(cmd.Context(), c, opts.Namespace, args[0])
			if err != nil {
				return err
			}
			if o.output == "json" {
				return output.New(cmd.OutOrStdout()).JSON(root)
			}
			return root.Write(cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "table", "Output format: table (a tree) or json.")
	return cmd
}
