// Package install is `tide install`: it applies the CRDs and the
// controllers to the cluster, or prints them with --export.
package install

import (
	"time"

	"github.com/spf13/cobra"

	installer "github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/manifests"
)

type options struct {
	components []string
	extra      []string
	export     bool
	wait       bool
	timeout    time.Duration
}

// New returns the install command.
func New(k *kube.Options) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install Tide's CRDs and controllers on the cluster (or print them with --export)",
		Long: "Install applies the CRDs, the namespace and the chosen controllers server-side, then waits\n" +
			"until the controllers are available. It is safe to run again: it upgrades in place.\n" +
			"To let Git manage Tide itself, use `tide bootstrap git` instead.",
		Example: "  tide install\n" +
			"  tide install --components source-controller\n" +
			"  tide install --components-extra image-automation-controller\n" +
			"  tide install --export > gotk-components.yaml",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, k) },
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.components, "components", manifests.Controllers, "The controllers to install, comma-separated.")
	f.StringSliceVar(&o.extra, "components-extra", nil, installer.ExtraComponentsUsage)
	f.BoolVar(&o.export, "export", false, "Print the manifests as multi-document YAML instead of applying them.")
	f.BoolVar(&o.wait, "wait", true, "Wait until the controllers are available.")
	f.DurationVar(&o.timeout, "timeout", 5*time.Minute, "How long to wait for the controllers.")
	return cmd
}

func (o *options) run(cmd *cobra.Command, k *kube.Options) error {
	components, err := installer.Components(o.components, o.extra)
	if err != nil {
		return err
	}
	o.components = components
	objs, err := installer.Render(o.components, k.Namespace)
	if err != nil {
		return err
	}
	out := output.New(cmd.OutOrStdout())
	if o.export {
		data, err := installer.Encode(objs)
		if err != nil {
			return err
		}
		_, err = out.Out.Write(data)
		return err
	}
	ctx := cmd.Context()
	c, err := k.Client(ctx)
	if err != nil {
		return err
	}
	out.Info("installing %v in namespace %s", o.components, k.Namespace)
	if err := installer.Apply(ctx, c, objs, out); err != nil {
		return err
	}
	if o.wait {
		if err := installer.WaitReady(ctx, c, k.Namespace, o.components, o.timeout, out); err != nil {
			return err
		}
	}
	out.Success("install finished")
	return nil
}
