// Package version is `tide version`: the version of this binary and, when
// the cluster answers, of its Kubernetes API server.
package version

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
)

// Version is set at build time with
// -ldflags "-X github.com/tidegitops/tide/cli/internal/commands/version.Version=v1.2.3";
// otherwise the module version from the build info is used, or "dev".
var Version = ""

// Client returns the version of this binary.
func Client() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// New returns `tide version`.
func New(kopts *kube.Options) *cobra.Command {
	var clientOnly bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the versions of tide and of the cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "tide: %s\n", Client())
			if clientOnly {
				return nil
			}
			cfg, err := kopts.Config()
			if err == nil {
				ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
				defer cancel()
				var v string
				if v, err = kube.ServerVersion(ctx, cfg); err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "kubernetes: %s\n", v)
					return nil
				}
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "kubernetes: unknown (%v)\n", err)
			return nil
		},
	}
	cmd.Flags().BoolVar(&clientOnly, "client", false, "Print only the client version; do not contact the cluster.")
	return cmd
}
