// Package create is `tide create`: sources (GitRepositories,
// HelmRepositories, HelmCharts, OCIRepositories), Kustomizations,
// HelmReleases, and
// Secrets with Git credentials or a GitHub App's, applied to the cluster or
// printed with --export.
package create

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
)

// common are the flags every create subcommand shares.
type common struct {
	kube    *kube.Options
	export  bool
	timeout time.Duration
}

// New returns `tide create`.
func New(kopts *kube.Options) *cobra.Command {
	c := &common{kube: kopts}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create or update sources, Kustomizations, HelmReleases and secrets",
		Example: `  # Fetch the main branch of a repository every minute
  tide create source git podinfo --url=https://github.com/stefanprodan/podinfo --branch=master

  # Apply its ./kustomize folder
  tide create kustomization podinfo --source=GitRepository/podinfo --path=./kustomize --prune

  # Print the manifests instead, to commit them
  tide create kustomization podinfo --source=podinfo --path=./kustomize --prune --export`,
	}
	pf := cmd.PersistentFlags()
	pf.BoolVar(&c.export, "export", false, "Print the object as YAML instead of applying it.")
	pf.DurationVar(&c.timeout, "timeout", objects.DefaultTimeout, "How long to wait for the object to be reconciled.")
	source := &cobra.Command{Use: "source", Aliases: []string{"sources"}, Short: "Create or update sources"}
	source.AddCommand(newSourceGit(c), newSourceHelm(c), newSourceChart(c), newSourceOCI(c))
	secret := &cobra.Command{Use: "secret", Short: "Create or update secrets for sources"}
	secret.AddCommand(newSecretGit(c), newSecretGitHubApp(c), newSecretOCI(c))
	cmd.AddCommand(source, newKustomization(c), secret, newHelmRelease(c), newAlert(c), newAlertProvider(c), newReceiver(c), newImage(c))
	return cmd
}
