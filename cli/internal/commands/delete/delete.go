// Package delete is `tide delete`: remove a source or a Kustomization from
// the cluster, after asking.
package delete

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

// New returns `tide delete`.
func New(kopts *kube.Options) *cobra.Command {
	var silent bool
	cmd := &cobra.Command{
		Use:   "delete",
		Short: "Delete sources and Kustomizations",
		Example: `  # Delete a Kustomization (its pruned objects go with it when prune is on)
  tide delete kustomization apps

  # Delete a GitRepository without being asked
  tide delete source git podinfo --silent`,
	}
	cmd.PersistentFlags().BoolVarP(&silent, "silent", "s", false, "Delete without asking for confirmation.")
	objects.AddKindCommands(cmd, "source", func(k *objects.Kind) *cobra.Command {
		return &cobra.Command{
			Use:               "NAME",
			Short:             fmt.Sprintf("Delete a %s", k.Kind),
			Args:              cobra.ExactArgs(1),
			ValidArgsFunction: objects.CompleteNames(kopts, k),
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx := cmd.Context()
				s, err := objects.Connect(ctx, kopts)
				if err != nil {
					return err
				}
				obj, err := s.Get(ctx, k, args[0])
				if err != nil {
					return err
				}
				log := output.New(cmd.ErrOrStderr())
				if !silent && !confirm(cmd, fmt.Sprintf("Are you sure you want to delete %s '%s' in namespace '%s'? [y/N] ", k.Noun, args[0], s.Namespace)) {
					return fmt.Errorf("not deleted: answer y to delete, or pass --silent")
				}
				log.Info("deleting %s %s in %s namespace", k.Noun, args[0], s.Namespace)
				if err := s.Client.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
					return fmt.Errorf("delete %s '%s': %w", k.Noun, args[0], err)
				}
				log.Success("%s deleted", k.Noun)
				return nil
			},
		}
	})
	return cmd
}

// confirm asks question on stderr and reads y or yes from stdin.
func confirm(cmd *cobra.Command, question string) bool {
	fmt.Fprint(cmd.ErrOrStderr(), question)
	line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
