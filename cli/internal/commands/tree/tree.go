// Package tree is `tide tree`: what a Kustomization or a HelmRelease
// applied, as a tree.
package tree

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/inventorytree"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
)

// New returns `tide tree` with its kustomization and helmrelease
// subcommands.
func New(opts *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tree",
		Short: "Show what a Flux resource applied, as a tree",
	}
	cmd.AddCommand(newKustomization(opts), newHelmRelease(opts))
	return cmd
}

// reader reads the tree of one kind's object.
type reader func(ctx context.Context, c client.Reader, namespace, name string) (*inventorytree.Node, error)

func newKustomization(opts *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "kustomization NAME",
		Aliases: []string{"ks"},
		Short:   "Show the objects a Kustomization applied, nested Kustomizations expanded",
		Long: `Tree reads the Kustomization's status.inventory and prints its objects as a tree;
an object that is itself a Kustomization or a HelmRelease is expanded with the
objects it applied.`,
		Example: `  tide tree kustomization flux-system
  tide tree ks apps -n apps -o json`,
	}
	return withTree(cmd, opts, inventorytree.Read)
}

func newHelmRelease(opts *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "helmrelease NAME",
		Aliases: []string{"hr"},
		Short:   "Show the objects a HelmRelease's release made",
		Long: `Tree reads the HelmRelease's status.inventory (the objects of its release, which
the helm-controller records) and prints them as a tree.`,
		Example: `  tide tree helmrelease podinfo
  tide tree hr podinfo -n apps -o json`,
	}
	return withTree(cmd, opts, inventorytree.ReadHelmRelease)
}

// withTree gives cmd its -o flag and its run: read the tree, print it.
func withTree(cmd *cobra.Command, opts *kube.Options, read reader) *cobra.Command {
	var format string
	cmd.Args = cobra.ExactArgs(1)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if format != "table" && format != "json" {
			return fmt.Errorf("--output must be table or json, not %q", format)
		}
		c, err := opts.Client(cmd.Context())
		if err != nil {
			return err
		}
		root, err := read(cmd.Context(), c, opts.Namespace, args[0])
		if err != nil {
			return err
		}
		if format == "json" {
			return output.New(cmd.OutOrStdout()).JSON(root)
		}
		return root.Write(cmd.OutOrStdout())
	}
	cmd.Flags().StringVarP(&format, "output", "o", "table", "Output format: table (a tree) or json.")
	return cmd
}
