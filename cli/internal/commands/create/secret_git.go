package create

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"

	"github.com/tidegitops/tide/cli/internal/generate"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

type secretFiles struct {
	privateKey, knownHosts, ca string
}

func newSecretGit(c *common) *cobra.Command {
	o := generate.GitSecretOptions{}
	files := secretFiles{}
	cmd := &cobra.Command{
		Use:   "git NAME",
		Short: "Create or update a Secret with Git credentials",
		Long: `Create or update a Secret with the credentials a GitRepository uses
(--secret-ref). Over https: --username and --password, or --bearer-token,
and --ca-file for a private CA. Over ssh: --private-key-file (or none, to
generate a key to add as a deploy key) and --ssh-known-hosts-file.
Secret values are only ever printed with --export.`,
		Example: `  tide create secret git podinfo-auth --url=https://github.com/org/podinfo --username=git --password=$TOKEN
  ssh-keyscan github.com > known_hosts
  tide create secret git podinfo-auth --url=ssh://git@github.com/org/podinfo --ssh-known-hosts-file=known_hosts`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Namespace = args[0], c.namespace()
			if err := files.read(&o); err != nil {
				return err
			}
			secret, deployKey, err := generate.GitSecret(o)
			if err != nil {
				return err
			}
			log := output.New(cmd.ErrOrStderr())
			if deployKey != "" {
				log.Info("generated an ed25519 key: add this public key to the repository as a deploy key:\n%s", deployKey)
			}
			return c.applySecret(cmd, "git", secret)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "Git repository URL the credentials are for.")
	f.StringVarP(&o.Username, "username", "u", "", "Basic auth username (https).")
	f.StringVarP(&o.Password, "password", "p", "", "Basic auth password (https), or the passphrase of --private-key-file (ssh).")
	f.StringVar(&o.BearerToken, "bearer-token", "", "Bearer token (https).")
	f.StringVar(&files.privateKey, "private-key-file", "", "Path to an ssh private key (ssh).")
	f.StringVar(&files.knownHosts, "ssh-known-hosts-file", "", "Path to a known_hosts file with the server's host keys (ssh).")
	f.StringVar(&files.ca, "ca-file", "", "Path to the PEM CA certificate of the Git server (https).")
	_ = cmd.MarkFlagRequired("url")
	return cmd
}

// applySecret applies secret, or prints it with --export; only then are its
// values shown.
func (c *common) applySecret(cmd *cobra.Command, what string, secret *corev1.Secret) error {
	if c.export {
		return objects.WriteYAML(cmd.OutOrStdout(), generate.ExportSecret(secret))
	}
	ctx := cmd.Context()
	s, err := objects.Connect(ctx, c.kube)
	if err != nil {
		return err
	}
	if err := s.Apply(ctx, secret, nil); err != nil {
		return err
	}
	output.New(cmd.ErrOrStderr()).Success("%s secret '%s' created in '%s' namespace (keys: %s)",
		what, secret.Name, secret.Namespace, keys(secret.Data))
	return nil
}

// keys lists the Secret's keys, never its values.
func keys(data map[string][]byte) string {
	ks := make([]string, 0, len(data))
	for k := range data {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func (f secretFiles) read(o *generate.GitSecretOptions) error {
	for _, r := range []struct {
		flag, path string
		into       *[]byte
	}{
		{"--private-key-file", f.privateKey, &o.PrivateKey},
		{"--ssh-known-hosts-file", f.knownHosts, &o.KnownHosts},
		{"--ca-file", f.ca, &o.CA},
	} {
		if r.path == "" {
			continue
		}
		data, err := os.ReadFile(r.path)
		if err != nil {
			return fmt.Errorf("%s: %w", r.flag, err)
		}
		*r.into = data
	}
	return nil
}
