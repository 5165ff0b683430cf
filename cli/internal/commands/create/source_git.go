package create

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

func newSourceGit(c *common) *cobra.Command {
	o := generate.GitRepositoryOptions{}
	cmd := &cobra.Command{
		Use:   "git NAME",
		Short: "Create or update a GitRepository source",
		Example: `  tide create source git podinfo --url=https://github.com/stefanprodan/podinfo --branch=master
  tide create source git private --url=ssh://git@github.com/org/repo --tag-semver='>=1.0.0' --secret-ref=private-auth`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			repo, err := generate.GitRepository(o)
			if err != nil {
				return err
			}
			if c.export {
				return objects.Export(cmd.OutOrStdout(), repo)
			}
			return c.apply(cmd, objects.GitRepository, repo)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "Git repository URL: https://, http:// or ssh://.")
	f.StringVar(&o.Branch, "branch", "", "Git branch to follow.")
	f.StringVar(&o.Tag, "tag", "", "Git tag to check out.")
	f.StringVar(&o.SemVer, "tag-semver", "", "Semver range of tags; the highest match is checked out.")
	f.StringVar(&o.Commit, "commit", "", "Git commit SHA to check out.")
	f.StringVar(&o.SecretRef, "secret-ref", "", "Name of the Secret with the credentials (see 'tide create secret git' and 'githubapp').")
	f.StringVar(&o.Provider, "provider", "", "How to authenticate: generic (the default: credentials in --secret-ref) or github (a GitHub App's, in --secret-ref).")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to fetch the repository.")
	_ = cmd.MarkFlagRequired("url")
	return cmd
}

func (c *common) namespace() string {
	if c.kube.Namespace == "" {
		return "flux-system"
	}
	return c.kube.Namespace
}

// apply applies obj, then waits until its controller has reconciled it.
func (c *common) apply(cmd *cobra.Command, k *objects.Kind, obj objects.Object) error {
	ctx := cmd.Context()
	s, err := objects.Connect(ctx, c.kube)
	if err != nil {
		return err
	}
	log := output.New(cmd.ErrOrStderr())
	log.Info("applying %s %s in %s namespace", k.Kind, obj.GetName(), s.Namespace)
	if err := s.Apply(ctx, obj, nil); err != nil {
		return err
	}
	log.Success("%s %s applied", k.Kind, obj.GetName())
	return s.WaitAndReport(ctx, log, k, obj, "", c.timeout)
}
