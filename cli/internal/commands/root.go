// Package commands assembles the tide command tree; each command lives in
// its own package below and calls library packages for the work.
package commands

import (
	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	bootstrapcmd "github.com/tidegitops/tide/cli/internal/commands/bootstrap"
	buildcmd "github.com/tidegitops/tide/cli/internal/commands/build"
	checkcmd "github.com/tidegitops/tide/cli/internal/commands/check"
	"github.com/tidegitops/tide/cli/internal/commands/create"
	deletecmd "github.com/tidegitops/tide/cli/internal/commands/delete"
	"github.com/tidegitops/tide/cli/internal/commands/dev"
	diffcmd "github.com/tidegitops/tide/cli/internal/commands/diff"
	"github.com/tidegitops/tide/cli/internal/commands/events"
	"github.com/tidegitops/tide/cli/internal/commands/export"
	"github.com/tidegitops/tide/cli/internal/commands/get"
	installcmd "github.com/tidegitops/tide/cli/internal/commands/install"
	listcmd "github.com/tidegitops/tide/cli/internal/commands/list"
	pullcmd "github.com/tidegitops/tide/cli/internal/commands/pull"
	pushcmd "github.com/tidegitops/tide/cli/internal/commands/push"
	"github.com/tidegitops/tide/cli/internal/commands/reconcile"
	"github.com/tidegitops/tide/cli/internal/commands/resume"
	"github.com/tidegitops/tide/cli/internal/commands/suspend"
	treecmd "github.com/tidegitops/tide/cli/internal/commands/tree"
	uninstallcmd "github.com/tidegitops/tide/cli/internal/commands/uninstall"
	"github.com/tidegitops/tide/cli/internal/commands/version"
	"github.com/tidegitops/tide/cli/internal/kube"
)

// NewRoot returns the tide command with every subcommand.
func NewRoot() *cobra.Command {
	opts := &kube.Options{}
	// The CLI has its own output; controller-runtime's log (and its warning
	// that none is set) has nothing to say to a user.
	ctrllog.SetLogger(logr.Discard())
	root := &cobra.Command{
		Use:           "tide",
		Short:         "Tide keeps Kubernetes clusters equal to Git (Flux v2 compatible).",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	opts.BindFlags(root.PersistentFlags())
	for _, add := range subcommands {
		root.AddCommand(add(opts))
	}
	return root
}

// subcommands build each top-level command from the shared connection
// options.
var subcommands = []func(*kube.Options) *cobra.Command{
	dev.New, installcmd.New, uninstallcmd.New, checkcmd.New, bootstrapcmd.New,
	get.New, reconcile.New, suspend.New, resume.New, deletecmd.New, export.New,
	create.New, events.New, buildcmd.New, diffcmd.New, treecmd.New, version.New,
	pushcmd.New, pullcmd.New, listcmd.New,
}
