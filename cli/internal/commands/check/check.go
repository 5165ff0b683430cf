// Package check is `tide check`: is the cluster fit for Tide (--pre), and
// is Tide installed and running on it.
package check

import (
	"fmt"

	"github.com/spf13/cobra"

	installer "github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/manifests"
)

type options struct {
	pre        bool
	components []string
}

// New returns the check command.
func New(k *kube.Options) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the cluster and Tide's installation on it",
		Long: "Check reaches the Kubernetes API and prints its version; unless --pre, it then checks\n" +
			"that Tide's CRDs are established and that the controllers' Deployments are available.\n" +
			"It exits non-zero when any check fails.",
		Example: "  tide check --pre\n  tide check",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return o.run(cmd, k) },
	}
	cmd.Flags().BoolVar(&o.pre, "pre", false, "Only check that the cluster is reachable, before installing.")
	cmd.Flags().StringSliceVar(&o.components, "components", manifests.Controllers, "The controllers to check.")
	return cmd
}

func (o *options) run(cmd *cobra.Command, k *kube.Options) error {
	out := output.New(cmd.OutOrStdout())
	cfg, err := k.Config()
	if err != nil {
		out.Failure("%v", err)
		return fmt.Errorf("check failed")
	}
	version, err := kube.ServerVersion(cmd.Context(), cfg)
	if err != nil {
		out.Failure("%v", err)
		return fmt.Errorf("check failed")
	}
	out.Success("Kubernetes %s at %s", version, cfg.Host)
	if o.pre {
		return nil
	}
	if err := installer.ValidateComponents(o.components); err != nil {
		return err
	}
	ctx := cmd.Context()
	c, err := k.Client(ctx)
	if err != nil {
		return err
	}
	crds, err := installer.CRDs()
	if err != nil {
		return err
	}
	refs := crds
	for _, name := range o.components {
		refs = append(refs, installer.DeploymentRef(k.Namespace, name))
	}
	failed := 0
	for _, ref := range refs {
		why, err := installer.Pending(ctx, c, ref)
		if err != nil {
			return err
		}
		if why != "" {
			failed++
			out.Failure("%s", why)
			continue
		}
		if ref.GetKind() == "Deployment" {
			out.Success("Deployment/%s/%s is available", ref.GetNamespace(), ref.GetName())
		} else {
			out.Success("CustomResourceDefinition/%s is established", ref.GetName())
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d checks failed", failed, len(refs)+1)
	}
	out.Success("all checks passed")
	return nil
}
