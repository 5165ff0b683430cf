package create

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

// newImage is `tide create image repository|policy|update`, with flux's
// flags and --export output.
func newImage(c *common) *cobra.Command {
	cmd := &cobra.Command{Use: "image", Short: "Create or update image automation objects"}
	cmd.AddCommand(newImageRepository(c), newImagePolicy(c), newImageUpdate(c))
	return cmd
}

// createOrExport prints obj with --export, or applies it and waits for
// its controller.
func (c *common) createOrExport(cmd *cobra.Command, k *objects.Kind, obj objects.Object, err error) error {
	if err != nil {
		return err
	}
	if c.export {
		return objects.Export(cmd.OutOrStdout(), obj)
	}
	return c.apply(cmd, k, obj)
}

func newImageRepository(c *common) *cobra.Command {
	o := generate.ImageRepositoryOptions{}
	cmd := &cobra.Command{
		Use:   "repository NAME",
		Short: "Create or update an ImageRepository (an image repository to scan for tags)",
		Example: `  tide create image repository podinfo --image=ghcr.io/stefanprodan/podinfo --interval=5m
  tide create image repository app --image=registry.example.com/app --secret-ref=regcred --cert-ref=registry-ca`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			repo, err := generate.ImageRepository(o)
			return c.createOrExport(cmd, objects.ImageRepository, repo, err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Image, "image", "", "The image repository to scan, e.g. library/alpine or ghcr.io/org/app.")
	f.StringVar(&o.SecretRef, "secret-ref", "", "Name of a docker-registry Secret with the registry's credentials.")
	f.StringVar(&o.CertSecretRef, "cert-ref", "", "Name of a Secret with TLS certificates (ca.crt, tls.crt, tls.key).")
	f.DurationVar(&o.ScanTimeout, "scan-timeout", 0, "Timeout of a scan (the controller's default when unset).")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to scan the repository.")
	return cmd
}

func newImagePolicy(c *common) *cobra.Command {
	o := generate.ImagePolicyOptions{}
	cmd := &cobra.Command{
		Use:   "policy NAME",
		Short: "Create or update an ImagePolicy (which tag of an ImageRepository is the latest)",
		Example: `  tide create image policy podinfo --image-ref=podinfo --select-semver='>=1.0.0'
  tide create image policy main --image-ref=app --select-numeric=asc --filter-regex='^main-[a-f0-9]+-(?P<ts>[0-9]+)' --filter-extract='$ts'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			policy, err := generate.ImagePolicy(o)
			return c.createOrExport(cmd, objects.ImagePolicy, policy, err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.ImageRef, "image-ref", "", "Name of the ImageRepository whose tags the policy picks from.")
	f.StringVar(&o.SemVer, "select-semver", "", "Semver range of tags, e.g. '1.x' or '>=1.0.0'.")
	f.StringVar(&o.Alpha, "select-alpha", "", "Alphabetical order: asc (the last tag) or desc (the first).")
	f.StringVar(&o.Numeric, "select-numeric", "", "Numerical order: asc (the highest tag) or desc (the lowest).")
	f.StringVar(&o.FilterRegex, "filter-regex", "", "Regular expression the tags must match.")
	f.StringVar(&o.FilterExtract, "filter-extract", "", "What of the match is ordered, with the groups of --filter-regex, e.g. '$ts'.")
	f.StringVar(&o.ReflectDigest, "reflect-digest", "", "When the chosen tag's digest is read: Never, IfNotPresent or Always.")
	f.DurationVar(&o.Interval, "interval", 0, "How often the digest is read again, with --reflect-digest=Always.")
	return cmd
}

func newImageUpdate(c *common) *cobra.Command {
	o := generate.ImageUpdateOptions{}
	cmd := &cobra.Command{
		Use:   "update NAME",
		Short: "Create or update an ImageUpdateAutomation (commit the policies' images to Git)",
		Example: `  tide create image update flux-system --git-repo-ref=flux-system --git-repo-path=./clusters/my-cluster \
    --checkout-branch=main --author-name=flux --author-email=flux@example.com \
    --commit-template='{{range .Changed.Changes}}{{println .OldValue "->" .NewValue}}{{end}}'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			update, err := generate.ImageUpdateAutomation(o)
			return c.createOrExport(cmd, objects.ImageUpdateAutomation, update, err)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.GitRepoRef, "git-repo-ref", "", "Name of the GitRepository to update.")
	f.StringVar(&o.GitRepoNamespace, "git-repo-namespace", "", "Namespace of the GitRepository (the automation's when unset).")
	f.StringVar(&o.GitRepoPath, "git-repo-path", "", "Directory of the manifests to update (the repository root when unset).")
	f.StringVar(&o.CheckoutBranch, "checkout-branch", "", "The branch to check out.")
	f.StringVar(&o.PushBranch, "push-branch", "", "The branch to push to (the checkout branch when unset).")
	f.StringVar(&o.CommitTemplate, "commit-template", "", "Go template of the commit message.")
	f.StringVar(&o.AuthorName, "author-name", "", "Name of the commits' author.")
	f.StringVar(&o.AuthorEmail, "author-email", "", "Email of the commits' author.")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to run the automation.")
	return cmd
}
