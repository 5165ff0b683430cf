// Package diff is `tide diff`: build a Kustomization from a local checkout
// and show what applying it would change in the cluster.
package diff

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/clusterdiff"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/localbuild"
	"github.com/tidegitops/tide/cli/internal/output"
)

// ErrDifferences is what the command returns when the cluster differs from
// the build; the CLI exits with 1 for it, without an error line.
var ErrDifferences = clusterdiff.ErrDifferences

// New returns `tide diff` with its kustomization subcommand.
func New(opts *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what applying local files, or a HelmRelease's render, would change in the cluster",
	}
	cmd.AddCommand(newKustomization(opts), newHelmRelease(opts))
	return cmd
}

func newKustomization(opts *kube.Options) *cobra.Command {
	in := &localbuild.Input{}
	cmd := &cobra.Command{
		Use:     "kustomization NAME --path DIR",
		Aliases: []string{"ks"},
		Short:   "Diff a Kustomization built from a local folder against the cluster",
		Long: `Diff builds the local folder --path as 'tide build kustomization' does, applies
every object in a server-side dry run (as the kustomize-controller, forcing its
ownership), and compares the result with the live object. It prints each object
that would be created or that drifted, with a unified diff, and the objects of the
Kustomization's inventory that a reconcile would prune. Values of Secrets are never
printed: they show as *** and, when they change, as *** (before) and *** (after).

Exit status: 0 no differences, 1 differences found, >1 the diff failed.`,
		Example: `  # Preview local changes against the cluster
  tide diff kustomization apps --path ./clusters/prod/apps

  # With a local Kustomization definition
  tide diff kustomization apps --path ./apps --kustomization-file ./apps.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.Name, in.Namespace = args[0], opts.Namespace
			return run(cmd, opts, *in)
		},
	}
	in.BindFlags(cmd.Flags())
	return cmd
}

func run(cmd *cobra.Command, opts *kube.Options, in localbuild.Input) error {
	ctx := cmd.Context()
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	ks, objects, _, err := localbuild.Run(ctx, in, opts.Client)
	if err != nil {
		return err
	}
	// The inventory is the cluster's, also when the spec comes from a file.
	inventory := ks.Status.Inventory
	if in.KustomizationFile != "" {
		if live, err := localbuild.Get(ctx, c, ks.Namespace, ks.Name); err == nil {
			inventory = live.Status.Inventory
		}
	}
	stop := output.New(cmd.ErrOrStderr()).Spinner(fmt.Sprintf("comparing %d objects with the cluster", len(objects)))
	changes, err := clusterdiff.Diff(ctx, c, ks, objects, inventory)
	stop()
	if err != nil {
		return err
	}
	p := output.New(cmd.OutOrStdout())
	if len(changes) == 0 {
		p.Success("no changes: the cluster matches the build of Kustomization '%s/%s'", ks.Namespace, ks.Name)
		return nil
	}
	for _, ch := range changes {
		p.Info("%s %s", ch.Ref, ch.Action)
		if ch.Diff != "" {
			fmt.Fprintln(p.Out)
			fmt.Fprint(p.Out, ch.Diff)
			fmt.Fprintln(p.Out)
		}
	}
	return ErrDifferences
}
