package bootstrap

import (
	"errors"
	"path"
	"strings"
	"time"

	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/manifests"
)

// Options say which repository to bootstrap and how.
type Options struct {
	URL, Branch, Path         string // fleet repo; Branch default "main"; Path e.g. "clusters/dev"
	Username, Password, Token string // HTTPS basic or bearer credentials (optional)
	PrivateKeyFile            string // SSH (optional); Password is then its passphrase
	Components                []string
	Interval                  time.Duration // of the sync objects; default 1m
	Namespace                 string        // default flux-system
	Timeout                   time.Duration // of every wait; default 5m
	// SkipComponentsWait skips the wait for the controller Deployments
	// (they run as local processes, e.g. in tests or `tide dev`).
	SkipComponentsWait bool
}

// Names of the objects and files bootstrap manages, as Flux names them.
const (
	SyncName       = "flux-system"
	ComponentsFile = "gotk-components.yaml"
	SyncFile       = "gotk-sync.yaml"
	KustomizeFile  = "kustomization.yaml"
	CommitMessage  = "Add Tide sync manifests"
)

func (o Options) withDefaults(k *kube.Options) Options {
	if o.Branch == "" {
		o.Branch = "main"
	}
	if len(o.Components) == 0 {
		o.Components = manifests.Controllers
	}
	if o.Interval == 0 {
		o.Interval = time.Minute
	}
	if o.Namespace == "" && k != nil {
		o.Namespace = k.Namespace
	}
	if o.Namespace == "" {
		o.Namespace = kube.DefaultNamespace
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Minute
	}
	o.Path = cleanPath(o.Path)
	return o
}

func (o Options) validate() error {
	if o.URL == "" {
		return errors.New("no repository URL: set --url")
	}
	if o.Token != "" && (o.Username != "" || o.PrivateKeyFile != "") {
		return errors.New("--token cannot be combined with --username or --private-key-file")
	}
	if o.PrivateKeyFile != "" && o.Username != "" {
		return errors.New("--private-key-file cannot be combined with --username (the SSH user comes from the URL)")
	}
	if strings.HasPrefix(o.Path, "..") {
		return errors.New("--path must stay inside the repository")
	}
	return install.ValidateComponents(o.Components)
}

// cleanPath turns "./clusters/dev/" into "clusters/dev", and the root into ".".
func cleanPath(p string) string {
	return path.Clean("./" + strings.TrimPrefix(p, "/"))
}

// dir is the repository folder bootstrap writes: <path>/flux-system.
func (o Options) dir() string {
	return path.Join(o.Path, SyncName)
}

// hasCredentials says whether the cluster needs the flux-system Secret.
func (o Options) hasCredentials() bool {
	return o.Username != "" || o.Password != "" || o.Token != "" || o.PrivateKeyFile != ""
}
