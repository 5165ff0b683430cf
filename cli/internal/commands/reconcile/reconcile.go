// Package reconcile is `tide reconcile`: ask a controller to reconcile an
// object now, and wait until it has.
package reconcile

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

type options struct {
	kube       *kube.Options
	timeout    time.Duration
	withSource bool
	force      bool
	reset      bool
}

// New returns `tide reconcile`.
func New(kopts *kube.Options) *cobra.Command {
	o := &options{kube: kopts}
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Reconcile a source, a Kustomization or a HelmRelease now, and wait for it",
		Example: `  # Fetch the latest commit of a GitRepository
  tide reconcile source git flux-system

  # Fetch the source, then apply the Kustomization
  tide reconcile kustomization apps --with-source

  # Fetch the chart repository's index, then the chart
  tide reconcile source chart podinfo --with-source

  # Fetch the HelmRelease's chart (and its repository), then upgrade
  tide reconcile helmrelease podinfo --with-source --force`,
	}
	cmd.PersistentFlags().DurationVar(&o.timeout, "timeout", objects.DefaultTimeout, "How long to wait for the controller.")
	objects.AddKindCommands(cmd, "source", func(k *objects.Kind) *cobra.Command {
		c := &cobra.Command{
			Use:               "NAME",
			Short:             fmt.Sprintf("Reconcile a %s now", k.Kind),
			Args:              cobra.ExactArgs(1),
			ValidArgsFunction: objects.CompleteNames(kopts, k),
			RunE: func(cmd *cobra.Command, args []string) error {
				return o.run(cmd, k, args[0])
			},
		}
		if k.SourceOf != nil {
			c.Flags().BoolVar(&o.withSource, "with-source", false, fmt.Sprintf("Reconcile the %s's source first.", k.Kind))
		}
		if k.ForceAndReset {
			c.Flags().BoolVar(&o.force, "force", false, "Force a one-off install or upgrade of the release (reconcile.fluxcd.io/forceAt).")
			c.Flags().BoolVar(&o.reset, "reset", false, "Reset the remediation retry counters first (reconcile.fluxcd.io/resetAt).")
		}
		return c
	})
	return cmd
}

func (o *options) run(cmd *cobra.Command, k *objects.Kind, name string) error {
	ctx := cmd.Context()
	s, err := objects.Connect(ctx, o.kube)
	if err != nil {
		return err
	}
	log := output.New(cmd.ErrOrStderr())
	if o.withSource && k.SourceOf != nil {
		if err := o.reconcileSource(cmd, s, log, k, name); err != nil {
			return err
		}
	}
	var also []string
	if o.force {
		also = append(also, helmv2.ForceRequestAnnotation)
	}
	if o.reset {
		also = append(also, helmv2.ResetRequestAnnotation)
	}
	return s.Reconcile(ctx, log, k, name, o.timeout, also...)
}

func (o *options) reconcileSource(cmd *cobra.Command, s *objects.Session, log *output.Printer, k *objects.Kind, name string) error {
	obj, err := s.Get(cmd.Context(), k, name)
	if err != nil {
		return err
	}
	kind, ns, srcName := k.SourceOf(obj)
	src, err := objects.KindFor(kind)
	if err != nil || !src.IsSource() {
		return fmt.Errorf("%s '%s' has a %s source, which tide cannot reconcile: reconcile it without --with-source", k.Noun, name, kind)
	}
	at := *s
	if ns != "" {
		at.Namespace = ns
	}
	if src.SourceOf != nil && k.SourceOf != nil && src != k {
		// As flux for a HelmRelease: its HelmChart is reconciled with the
		// chart's own source first.
		if err := o.reconcileSource(cmd, &at, log, src, srcName); err != nil {
			return err
		}
	}
	return at.Reconcile(cmd.Context(), log, src, srcName, o.timeout) // a static source is reported, not an error
}
