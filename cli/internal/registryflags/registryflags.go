// Package registryflags holds the flags every artifact command shares (how
// to reach and log in to an OCI registry, as `flux push|pull|list artifact`
// name them) and turns them into ociartifact options.
package registryflags

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/spf13/pflag"

	"github.com/tidegitops/tide/cli/internal/commands/version"
	"github.com/tidegitops/tide/ociartifact"
)

// genericProvider is the only --provider Tide supports: credentials from
// --creds or the docker config.
const genericProvider = "generic"

// Flags are the registry flags of one command.
type Flags struct {
	Creds    string
	Provider string
	Insecure bool
	Timeout  time.Duration
}

// Bind adds the flags to fs.
func (f *Flags) Bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.Creds, "creds", "",
		"credentials for OCI registry in the format <username>[:<password>] if --provider is generic")
	fs.StringVar(&f.Provider, "provider", genericProvider,
		"the OCI provider name; tide supports only generic (credentials from --creds or ~/.docker/config.json)")
	fs.BoolVar(&f.Insecure, "insecure-registry", false, "allows the artifact to be pushed or pulled without TLS")
	fs.DurationVar(&f.Timeout, "timeout", 5*time.Minute, "how long the whole operation may take")
}

// Client returns an ociartifact client for the flags and a context bounded
// by --timeout. Without --creds the credentials come from the docker config
// (~/.docker/config.json, or $DOCKER_CONFIG), as `docker login` writes them.
func (f *Flags) Client(ctx context.Context) (*ociartifact.Client, context.Context, context.CancelFunc, error) {
	if f.Provider != genericProvider {
		return nil, nil, nil, fmt.Errorf(
			"--provider %s is not supported by tide yet: use --creds <username>:<password>, or log in with docker login", f.Provider)
	}
	opts := ociartifact.Options{
		Insecure:  f.Insecure,
		UserAgent: "tide/" + version.Client(),
		// Go's default transport: the environment's proxy settings apply, as
		// they do to every command-line tool.
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		Keychain:  authn.DefaultKeychain,
	}
	if f.Creds != "" {
		user, pass, _ := strings.Cut(f.Creds, ":")
		if user == "" {
			return nil, nil, nil, fmt.Errorf("--creds must be <username>[:<password>]")
		}
		opts.Username, opts.Password = user, pass
	}
	c, err := ociartifact.NewClient(opts)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	return c, ctx, cancel, nil
}
