package create

import (
	"time"

	"github.com/spf13/cobra"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
)

func newSourceOCI(c *common) *cobra.Command {
	o := generate.OCIRepositoryOptions{}
	cmd := &cobra.Command{
		Use:   "oci NAME",
		Short: "Create or update an OCIRepository source",
		Long: `Create or update an OCIRepository: the source-controller pulls an OCI artifact
(such as one 'flux push artifact' made) and serves its content for
Kustomizations (--source=OCIRepository/NAME). Credentials come from a
docker config Secret (--secret-ref).`,
		Example: `  tide create source oci podinfo --url=oci://ghcr.io/stefanprodan/manifests/podinfo --tag=6.6.2 --interval=10m
  tide create source oci apps --url=oci://registry.example.com/fleet/apps --tag-semver='>=1.0.0' --secret-ref=registry-auth`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			repo, err := generate.OCIRepository(o)
			if err != nil {
				return err
			}
			if c.export {
				return objects.Export(cmd.OutOrStdout(), repo)
			}
			return c.apply(cmd, objects.OCIRepository, repo)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "The OCI repository: oci://registry/path/name.")
	f.StringVar(&o.Tag, "tag", "", "The artifact's tag.")
	f.StringVar(&o.SemVer, "tag-semver", "", "Semver range of tags; the highest match is pulled.")
	f.StringVar(&o.Digest, "digest", "", "The artifact's digest (sha256:...); it wins over --tag and --tag-semver.")
	f.StringVar(&o.SecretRef, "secret-ref", "", "Name of the Secret (type kubernetes.io/dockerconfigjson) with the registry's credentials.")
	f.StringVar(&o.CertSecretRef, "cert-ref", "", "Name of the Secret with the registry's CA (ca.crt) and client certificate (tls.crt, tls.key).")
	f.StringVar(&o.Provider, "provider", sourcev1.GenericOCIProvider, "How to authenticate: generic (credentials in --secret-ref).")
	f.StringSliceVar(&o.IgnorePaths, "ignore-paths", nil, "Paths of the artifact to leave out, in .gitignore form (comma separated).")
	f.BoolVar(&o.Insecure, "insecure", false, "Connect to the registry over plain HTTP.")
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often to check the registry for a new digest.")
	_ = cmd.MarkFlagRequired("url")
	return cmd
}
