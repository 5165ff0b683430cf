package objects

import (
	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
)

// TargetsCommand is the leaf command of `<verb> <kind> [NAME]` for verbs
// that act on one object, or on every object of the kind with --all
// (*all): it connects, finds the targets (with the usual errors for a
// missing name or object) and calls run with them.
func TargetsCommand(kopts *kube.Options, k *Kind, short string, all *bool,
	run func(cmd *cobra.Command, s *Session, targets []Object) error) *cobra.Command {
	return &cobra.Command{
		Use:               "[NAME]",
		Short:             short,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: CompleteNames(kopts, k),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := Connect(ctx, kopts)
			if err != nil {
				return err
			}
			targets, err := s.Targets(ctx, k, args, *all)
			if err != nil {
				return err
			}
			return run(cmd, s, targets)
		},
	}
}
