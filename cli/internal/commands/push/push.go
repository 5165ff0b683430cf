// Package push is `tide push artifact`: pack a folder (or one file) into an
// OCI artifact as `flux push artifact` does, with Flux's media types and
// annotations, so Flux's and Tide's OCIRepository can read it.
package push

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/output"
	"github.com/tidegitops/tide/cli/internal/registryflags"
	"github.com/tidegitops/tide/ociartifact"
)

// New returns `tide push` with its artifact subcommand.
func New(_ *kube.Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "push",
		Short: "Push artifacts to OCI registries",
	}
	cmd.AddCommand(newArtifact())
	return cmd
}

type artifactOptions struct {
	registry     registryflags.Flags
	path         string
	source       string
	revision     string
	annotations  []string
	ignorePaths  []string
	reproducible bool
	output       string
}

func newArtifact() *cobra.Command {
	o := &artifactOptions{}
	cmd := &cobra.Command{
		Use:   "artifact oci://<host>/<repository>:<tag> --path DIR --source URL --revision REV",
		Short: "Push a folder of manifests as an OCI artifact",
		Long: `Push artifact packs the folder (or the single file) --path into a gzip-compressed
tarball and pushes it to an OCI repository as Flux does: the same media types and the
source, revision and created annotations, so both Flux's and Tide's OCIRepository can
read it. The tarball is deterministic: equal content gives an equal layer digest, and
with --reproducible an equal artifact digest.

Credentials come from --creds, or else from ~/.docker/config.json (docker login).`,
		Example: `  # Push the manifests of a Git checkout, tagged with the short commit
  tide push artifact oci://ghcr.io/org/config/app:$(git rev-parse --short HEAD) \
    --path=./deploy \
    --source="$(git config --get remote.origin.url)" \
    --revision="$(git branch --show-current)@sha1:$(git rev-parse HEAD)"

  # Push what kustomize builds, read from stdin, with custom annotations
  kustomize build . | tide push artifact oci://ghcr.io/org/config/app:v1 -f - \
    --source=https://github.com/org/config --revision=v1@sha1:0123abcd \
    --annotations='org.opencontainers.image.description=Production config'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.path, "path", "f", "", "path to the directory where the Kubernetes manifests are located, or - for stdin")
	f.StringVar(&o.source, "source", "", "the source address, e.g. the Git URL")
	f.StringVar(&o.revision, "revision", "", "the source revision in the format '<branch|tag>@sha1:<commit-sha>'")
	f.StringArrayVarP(&o.annotations, "annotations", "a", nil, "Set custom OCI annotations in the format '<key>=<value>'")
	f.StringSliceVar(&o.ignorePaths, "ignore-paths", ociartifact.DefaultIgnorePaths, "set paths to ignore in .gitignore format")
	f.BoolVar(&o.reproducible, "reproducible", false,
		"set the created annotation to the Unix epoch, so that equal content gives an equal artifact digest")
	f.StringVarP(&o.output, "output", "o", "", "the format in which the artifact digest should be printed, can be 'json' or 'yaml'")
	o.registry.Bind(f)
	return cmd
}

func (o *artifactOptions) run(cmd *cobra.Command, ociURL string) error {
	if o.source == "" {
		return fmt.Errorf("--source is required")
	}
	if o.revision == "" {
		return fmt.Errorf("--revision is required")
	}
	if o.path == "" {
		return fmt.Errorf("--path is required: the folder or file to push, or - for stdin")
	}
	if o.output != "" && o.output != "json" && o.output != "yaml" {
		return fmt.Errorf("--output must be json or yaml, not %q", o.output)
	}
	url, err := ociartifact.ParseURL(ociURL)
	if err != nil {
		return err
	}
	tag, err := name.NewTag(url)
	if err != nil {
		return fmt.Errorf("%s does not name a tag: push to oci://<host>/<repository>:<tag>", ociURL)
	}
	annotations, err := parseAnnotations(o.annotations)
	if err != nil {
		return err
	}
	path := o.path
	if path == "-" {
		dir, err := saveStdin(cmd.InOrStdin())
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, stdinFileName)
	} else if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("invalid path %q, must point to an existing directory or file: %w", path, err)
	}
	meta := ociartifact.Metadata{Source: o.source, Revision: o.revision, Annotations: annotations}
	if o.reproducible {
		meta.Created = ociartifact.ReproducibleCreated
	}

	c, ctx, cancel, err := o.registry.Client(cmd.Context())
	if err != nil {
		return err
	}
	defer cancel()
	log := output.New(cmd.ErrOrStderr())
	if o.output == "" {
		log.Info("pushing artifact to %s", url)
	}
	digest, err := c.Push(ctx, url, path, meta, o.ignorePaths)
	if err != nil {
		return fmt.Errorf("pushing artifact failed: %w", err)
	}
	repo := tag.Context().Name()
	info := pushed{URL: ociartifact.URLPrefix + repo + "@" + digest, Repository: repo, Tag: tag.TagStr(), Digest: digest}
	switch o.output {
	case "json":
		return output.New(cmd.OutOrStdout()).JSON(info)
	case "yaml":
		return output.New(cmd.OutOrStdout()).YAML(info)
	}
	log.Success("artifact successfully pushed to %s@%s", repo, digest)
	return nil
}

// pushed is what --output prints, with Flux's field names.
type pushed struct {
	URL        string `json:"url"`
	Repository string `json:"repository"`
	Tag        string `json:"tag"`
	Digest     string `json:"digest"`
}

func parseAnnotations(values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		key, value, ok := strings.Cut(v, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("invalid annotation %q, must be in the format <key>=<value>", v)
		}
		out[key] = value
	}
	return out, nil
}

// stdinFileName is the name the content read from stdin has in the artifact.
const stdinFileName = "resources.yaml"

func saveStdin(r io.Reader) (string, error) {
	dir, err := os.MkdirTemp("", "tide-push-")
	if err != nil {
		return "", err
	}
	f, err := os.Create(filepath.Join(dir, stdinFileName))
	if err == nil {
		_, err = io.Copy(f, r)
		if closeErr := f.Close(); err == nil {
			err = closeErr
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("reading stdin: %w", err)
	}
	return dir, nil
}
