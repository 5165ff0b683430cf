// Package bootstrap is `tide bootstrap git`: it commits Tide's manifests
// to a fleet repository and makes the cluster sync itself from it.
package bootstrap

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tidegitops/tide/cli/internal/bootstrap"
	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/manifests"
)

// New returns the bootstrap command and its git subcommand.
func New(k *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bootstrap",
		Short: "Deploy Tide on a cluster the GitOps way",
		Long: "Bootstrap commits Tide's manifests to a Git repository, installs Tide on the cluster\n" +
			"and configures it to sync the cluster, Tide included, from that repository.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newGit(k))
	return cmd
}

type gitOptions struct {
	bootstrap.Options
	extra  []string // --components-extra, merged into Components
	silent bool
}

func newGit(k *kube.Options) *cobra.Command {
	o := &gitOptions{}
	cmd := &cobra.Command{
		Use:   "git",
		Short: "Deploy Tide on a cluster connected to a Git repository",
		Long: "bootstrap git writes <path>/flux-system (gotk-components.yaml, gotk-sync.yaml,\n" +
			"kustomization.yaml) to the branch, commits and pushes it when it changed, installs the\n" +
			"controllers, stores the Git credentials in the Secret flux-system and waits until the\n" +
			"cluster has applied that commit. Running it again changes nothing, or upgrades Tide.\n" +
			"The password can also come from $GIT_PASSWORD.",
		Example: "  tide bootstrap git --url=https://git.example.com/fleet.git --username=me --password=$PAT --path=clusters/dev\n" +
			"  tide bootstrap git --url=ssh://git@git.example.com/fleet.git --private-key-file=$HOME/.ssh/id_ed25519 --path=clusters/dev",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd, k) },
	}
	f := cmd.Flags()
	f.StringVar(&o.URL, "url", "", "Git repository URL (https:// or ssh://).")
	f.StringVar(&o.Branch, "branch", "main", "Git branch; created when the repository does not have it.")
	f.StringVar(&o.Path, "path", "", "Folder of the repository this cluster syncs, e.g. clusters/dev.")
	f.StringVarP(&o.Username, "username", "u", "", "Basic authentication username (HTTPS).")
	f.StringVarP(&o.Password, "password", "p", "", "Basic authentication password (HTTPS), or the passphrase of --private-key-file.")
	f.StringVar(&o.Token, "token", "", "Bearer token (HTTPS).")
	f.StringVar(&o.PrivateKeyFile, "private-key-file", "", "Path to an SSH private key (ssh:// URLs).")
	f.StringSliceVar(&o.Components, "components", manifests.Controllers, "The controllers to install, comma-separated.")
	f.StringSliceVar(&o.extra, "components-extra", nil, install.ExtraComponentsUsage)
	f.DurationVar(&o.Interval, "interval", time.Minute, "How often the sync objects reconcile.")
	f.DurationVar(&o.Timeout, "timeout", 5*time.Minute, "How long each wait may take.")
	f.BoolVarP(&o.silent, "silent", "s", false, "Never prompt (for a missing password).")
	_ = cmd.MarkFlagRequired("url")
	return cmd
}

func (o *gitOptions) run(cmd *cobra.Command, k *kube.Options) error {
	components, err := install.Components(o.Components, o.extra)
	if err != nil {
		return err
	}
	o.Components = components
	out := output.New(cmd.OutOrStdout())
	if o.Password == "" {
		o.Password = os.Getenv("GIT_PASSWORD")
	}
	if o.Username != "" && o.Password == "" {
		if o.silent {
			return errors.New("--username needs --password (or $GIT_PASSWORD)")
		}
		fmt.Fprintf(out.Out, "Password for %s at %s: ", o.Username, o.URL)
		o.Password = readPassword(cmd)
	}
	o.Namespace = k.Namespace
	return bootstrap.Run(cmd.Context(), k, out, o.Options)
}

// readPassword reads a line from stdin, without echo on a terminal.
func readPassword(cmd *cobra.Command) string {
	if f, ok := cmd.InOrStdin().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, _ := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(cmd.OutOrStdout())
		return string(b)
	}
	line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	return strings.TrimSpace(line)
}
