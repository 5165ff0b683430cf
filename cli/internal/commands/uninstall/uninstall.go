// Package uninstall is `tide uninstall`: it removes Tide's controllers,
// CRDs and namespace, and leaves everything they applied in place.
package uninstall

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	installer "github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
)

type options struct {
	keepNamespace bool
	silent        bool
}

// New returns the uninstall command.
func New(k *kube.Options) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "uninstall",
		Short: "Remove Tide's controllers, CRDs and namespace; keep what they applied",
		Long: "Uninstall first releases every Kustomization and source (it suspends them and\n" +
			"removes their finalizer, so nothing is garbage collected), then deletes the controllers,\n" +
			"those objects, the CRDs and the namespace. Workloads applied from Git stay as they are,\n" +
			"so a later bootstrap takes them over again.",
		Example: "  tide uninstall\n  tide uninstall --keep-namespace --silent",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return o.run(cmd, k) },
	}
	cmd.Flags().BoolVar(&o.keepNamespace, "keep-namespace", false, "Do not delete the namespace.")
	cmd.Flags().BoolVarP(&o.silent, "silent", "s", false, "Do not ask for confirmation.")
	return cmd
}

func (o *options) run(cmd *cobra.Command, k *kube.Options) error {
	out := output.New(cmd.OutOrStdout())
	if !o.silent {
		fmt.Fprintf(out.Out, "Delete Tide, its CRDs and every Kustomization and source from the cluster (namespace %s)? [y/N] ", k.Namespace)
		answer, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return errors.New("uninstall cancelled")
		}
	}
	ctx := cmd.Context()
	c, err := k.Client(ctx)
	if err != nil {
		return err
	}
	return installer.Uninstall(ctx, c, k.Namespace, o.keepNamespace, out)
}
