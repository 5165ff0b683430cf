// Package resume is `tide resume`: let a controller reconcile a suspended
// object again, and wait for that reconcile.
package resume

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

// New returns `tide resume`.
func New(kopts *kube.Options) *cobra.Command {
	var (
		all     bool
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "resume",
		Short: "Resume the reconciliation of suspended sources and Kustomizations",
		Example: `  # Resume a Kustomization and wait until it has applied
  tide resume kustomization apps

  # Resume every GitRepository in a namespace
  tide resume source git --all -n team-a`,
	}
	cmd.PersistentFlags().BoolVar(&all, "all", false, "Resume every object of the kind in the namespace.")
	cmd.PersistentFlags().DurationVar(&timeout, "timeout", objects.DefaultTimeout, "How long to wait for each reconcile.")
	objects.AddKindCommands(cmd, "source", func(k *objects.Kind) *cobra.Command {
		short := fmt.Sprintf("Resume the reconciliation of a %s", k.Kind)
		return objects.TargetsCommand(kopts, k, short, &all, func(cmd *cobra.Command, s *objects.Session, targets []objects.Object) error {
			log := output.New(cmd.ErrOrStderr())
			var errs []error
			for _, obj := range targets {
				if err := s.Resume(cmd.Context(), log, k, obj, timeout); err != nil {
					if len(targets) == 1 {
						return err
					}
					log.Failure("%v", err)
					errs = append(errs, err)
				}
			}
			if len(errs) > 0 {
				return fmt.Errorf("%d of %d %s objects did not reconcile after resuming: %w", len(errs), len(targets), k.Kind, errors.Join(errs...))
			}
			return nil
		})
	})
	return cmd
}
