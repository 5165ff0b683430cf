// Package reconcile is `tide reconcile`: ask a controller to reconcile an
// object now, and wait until it has.
package reconcile

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

type options struct {
	kube       *kube.Options
	timeout    time.Duration
	withSource bool
}

// New returns `tide reconcile`.
func New(kopts *kube.Options) *cobra.Command {
	o := &options{kube: kopts}
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Reconcile a source or a Kustomization now, and wait for it",
		Example: `  # Fetch the latest commit of a GitRepository
  tide reconcile source git flux-system

  # Fetch the source, then apply the Kustomization
  tide reconcile kustomization apps --with-source`,
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
		if k == objects.Kustomization {
			c.Flags().BoolVar(&o.withSource, "with-source", false, "Reconcile the Kustomization's source first.")
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
	if o.withSource && k == objects.Kustomization {
		if err := o.reconcileSource(cmd, s, log, name); err != nil {
			return err
		}
	}
	return s.Reconcile(ctx, log, k, name, o.timeout)
}

func (o *options) reconcileSource(cmd *cobra.Command, s *objects.Session, log *output.Printer, name string) error {
	obj, err := s.Get(cmd.Context(), objects.Kustomization, name)
	if err != nil {
		return err
	}
	ref := obj.(*kustomizev1.Kustomization).Spec.SourceRef
	k, err := objects.KindFor(ref.Kind)
	if err != nil || k == objects.Kustomization {
		return fmt.Errorf("kustomization '%s' has a %s source, which tide cannot reconcile: reconcile it without --with-source", name, ref.Kind)
	}
	src := *s
	if ref.Namespace != "" {
		src.Namespace = ref.Namespace
	}
	return src.Reconcile(cmd.Context(), log, k, ref.Name, o.timeout)
}
