// Package dev is `tide dev up` and `tide dev down`: the whole system on
// this machine, from binaries the project builds itself (package devenv).
package dev

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/tidegitops/tide/cli/internal/devenv"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
)

// options are the flags of `tide dev`.
type options struct {
	dir     string
	timeout time.Duration
}

// New returns `tide dev` with its up and down subcommands. The connection
// flags are not used: the environment makes its own cluster.
func New(_ *kube.Options) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the whole system on this machine: control plane, controllers, a demo fleet repo.",
	}
	cmd.PersistentFlags().StringVar(&o.dir, "dir", devenv.DefaultDir, "Where the environment keeps its state, kubeconfig and logs.")
	up := &cobra.Command{
		Use:   "up",
		Short: "Start a local cluster, a Git server with the demo repo and both controllers, bootstrap, and run until Ctrl-C.",
		Long: `Starts etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (one fake
node) from bin/k8s, a Git server holding the demo fleet repo made from examples/, and both
controllers from bin/ (built when their sources changed), then bootstraps the cluster from
the repo's clusters/dev and waits until the demo app runs. Ctrl-C stops everything in
reverse order. Run it from a Tide checkout; 'make run' builds what is missing and calls it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.up(cmd.Context()) },
	}
	up.Flags().DurationVar(&o.timeout, "timeout", 5*time.Minute, "How long each wait may take.")
	down := &cobra.Command{
		Use:   "down",
		Short: "Stop a running dev environment and remove its state dir.",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return devenv.Down(o.dir, output.New(os.Stdout))
		},
	}
	cmd.AddCommand(up, down)
	return cmd
}

func (o *options) up(parent context.Context) error {
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer cancel()
	ctrllog.SetLogger(logr.Discard()) // progress is printed; the processes log to files
	out := output.New(os.Stdout)
	root, err := devenv.FindRoot(".")
	if err != nil {
		return err
	}
	env, err := devenv.Up(ctx, devenv.Config{Root: root, Dir: o.dir, Out: out, Timeout: o.timeout})
	if err != nil && ctx.Err() != nil {
		out.Info("interrupted: everything started so far is stopped")
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	env.PrintNextSteps()
	var exitErr error
	select {
	case <-ctx.Done():
		out.Info("stopping (in reverse order: controllers, Git server, kwok, scheduler, controller-manager, apiserver, etcd)")
	case exitErr = <-env.Exited():
		out.Failure("%v: stopping the rest", exitErr)
	}
	env.Stop()
	out.Success("stopped; logs stay in %s/logs until the next `tide dev up` (`tide dev down` removes them)", o.dir)
	return exitErr
}
