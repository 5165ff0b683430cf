// Package suspend is `tide suspend`: stop a controller from reconciling an
// object until it is resumed.
package suspend

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

// New returns `tide suspend`.
func New(kopts *kube.Options) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "suspend",
		Short: "Suspend the reconciliation of sources and Kustomizations",
		Example: `  # Stop applying a Kustomization while you debug in the cluster
  tide suspend kustomization apps

  # Suspend every GitRepository in a namespace
  tide suspend source git --all -n team-a`,
	}
	cmd.PersistentFlags().BoolVar(&all, "all", false, "Suspend every object of the kind in the namespace.")
	objects.AddKindCommands(cmd, "source", func(k *objects.Kind) *cobra.Command {
		short := fmt.Sprintf("Suspend the reconciliation of a %s", k.Kind)
		return objects.TargetsCommand(kopts, k, short, &all, func(cmd *cobra.Command, s *objects.Session, targets []objects.Object) error {
			log := output.New(cmd.ErrOrStderr())
			for _, obj := range targets {
				log.Info("suspending %s %s in %s namespace", k.Noun, obj.GetName(), s.Namespace)
				if err := s.SetSuspend(cmd.Context(), obj, true); err != nil {
					return err
				}
				log.Success("%s suspended", k.Noun)
			}
			return nil
		})
	})
	return cmd
}
