// Package export is `tide export`: sources and Kustomizations as clean
// YAML manifests, ready to commit to Git.
package export

import (
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
)

// New returns `tide export`.
func New(kopts *kube.Options) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export sources and Kustomizations as YAML manifests",
		Example: `  # Every GitRepository of flux-system, to commit to Git
  tide export source git --all > sources.yaml

  # One Kustomization
  tide export kustomization apps`,
	}
	cmd.PersistentFlags().BoolVar(&all, "all", false, "Export every object of the kind in the namespace.")
	objects.AddKindCommands(cmd, "source", func(k *objects.Kind) *cobra.Command {
		short := fmt.Sprintf("Export %s objects as YAML", k.Kind)
		return objects.TargetsCommand(kopts, k, short, &all, func(cmd *cobra.Command, _ *objects.Session, targets []objects.Object) error {
			objs := make([]runtime.Object, len(targets))
			for i, t := range targets {
				objs[i] = t
			}
			return objects.Export(cmd.OutOrStdout(), objs...)
		})
	})
	return cmd
}
