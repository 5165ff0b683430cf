package diff

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/clusterdiff"
	"github.com/tidegitops/tide/cli/internal/helmrender"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
)

func newHelmRelease(opts *kube.Options) *cobra.Command {
	in := &helmrender.Input{}
	cmd := &cobra.Command{
		Use:     "helmrelease NAME [--values FILE ...]",
		Aliases: []string{"hr"},
		Short:   "Diff a HelmRelease rendered from the cluster's chart and values against the live objects",
		Long: `Diff renders the HelmRelease NAME as 'tide build helmrelease' does (the cluster's
chart artifact and values, the controller's rules, each --values file merged over
the values), applies every object of the manifest in a server-side dry run as the
helm-controller's field manager, with Helm's ownership metadata, and compares the
result with the live object. It prints each object that would be created or that
differs (a hand edit, or a change of chart or values), with a unified diff, and the
objects of the release in storage that the new manifest drops, which Helm would
delete (unless annotated helm.sh/resource-policy: keep). Values of Secrets are
never printed: they show as *** and, when they change, as *** (before) and
*** (after).

Exit status: 0 no differences, 1 differences found, >1 the diff failed.`,
		Example: `  # Has anything drifted from the release?
  tide diff helmrelease podinfo -n apps

  # What would new values change?
  tide diff helmrelease podinfo -n apps --values ./new-values.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in.Name, in.Namespace = args[0], opts.Namespace
			return runHelmRelease(cmd, opts, *in)
		},
	}
	cmd.Flags().StringArrayVarP(&in.ValuesFiles, "values", "f", nil, "YAML file of values merged over the HelmRelease's (may be repeated; later files win).")
	return cmd
}

func runHelmRelease(cmd *cobra.Command, opts *kube.Options, in helmrender.Input) error {
	ctx := cmd.Context()
	c, err := opts.Client(ctx)
	if err != nil {
		return err
	}
	config, err := opts.Config()
	if err != nil {
		return err
	}
	res, err := helmrender.Render(ctx, config, c, in)
	if err != nil {
		return err
	}
	objects, err := res.Objects(c)
	if err != nil {
		return err
	}
	previous, err := res.PreviousObjects(c)
	if err != nil {
		return err
	}
	stop := output.New(cmd.ErrOrStderr()).Spinner(fmt.Sprintf("comparing %d objects with the cluster", len(objects)))
	changes, err := clusterdiff.DiffRelease(ctx, c, objects, previous)
	stop()
	if err != nil {
		return err
	}
	p := output.New(cmd.OutOrStdout())
	if len(changes) == 0 {
		p.Success("no changes: the cluster matches the render of HelmRelease '%s/%s' (release %s/%s, chart %s)",
			in.Namespace, in.Name, res.Target.Namespace, res.Target.Name, res.Chart)
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
