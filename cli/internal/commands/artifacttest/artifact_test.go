package artifacttest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/commands/list"
	"github.com/tidegitops/tide/cli/internal/commands/pull"
	"github.com/tidegitops/tide/cli/internal/commands/push"
	"github.com/tidegitops/tide/ociartifact"
	"github.com/tidegitops/tide/testkit/ociregistry"
)

// run executes tide with args and returns stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	root := &cobra.Command{Use: "tide", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(push.New(nil), pull.New(nil), list.New(nil))
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// isolate keeps the host's docker login out of the test.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	return dir
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

var fleet = map[string]string{
	"apps/deploy.yaml":   "kind: Deployment\n",
	"kustomization.yaml": "resources: [apps/deploy.yaml]\n",
	".git/HEAD":          "ref: refs/heads/main\n",
}

const (
	source   = "https://github.com/org/fleet"
	revision = "main@sha1:0123456789abcdef0123456789abcdef01234567"
)

type pushed struct {
	URL, Repository, Tag, Digest string
}

func pushJSON(t *testing.T, args ...string) pushed {
	t.Helper()
	out, errOut, err := run(t, "", append([]string{"push", "artifact", "--output", "json"}, args...)...)
	if err != nil {
		t.Fatalf("push: %v\n%s", err, errOut)
	}
	var p pushed
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("push --output json printed %q: %v", out, err)
	}
	return p
}

// What tide pushes has what Flux's OCIRepository reads: the OCI manifest,
// Flux's config and content media types, and the source, revision and
// created annotations, plus custom ones.
func TestPushArtifactIsReadableByFlux(t *testing.T) {
	isolate(t)
	reg := ociregistry.New(t, ociregistry.Options{})
	url := reg.Ref("org/fleet:v1")
	p := pushJSON(t, url, "--path", writeTree(t, fleet), "--source", source, "--revision", revision,
		"--annotations", "org.opencontainers.image.description=demo fleet")

	repo := reg.Host + "/org/fleet"
	if p.Repository != repo || p.Tag != "v1" || !strings.HasPrefix(p.Digest, "sha256:") ||
		p.URL != "oci://"+repo+"@"+p.Digest {
		t.Errorf("push --output json = %+v", p)
	}

	c, err := ociartifact.NewClient(ociartifact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Get(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	m := a.Manifest
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != "application/vnd.cncf.flux.config.v1+json" {
		t.Errorf("manifest media type %q, config media type %q", m.MediaType, m.Config.MediaType)
	}
	if len(m.Layers) != 1 || m.Layers[0].MediaType != "application/vnd.cncf.flux.content.v1.tar+gzip" {
		t.Errorf("layers %+v, want one Flux content layer", m.Layers)
	}
	for key, want := range map[string]string{
		"org.opencontainers.image.source":      source,
		"org.opencontainers.image.revision":    revision,
		"org.opencontainers.image.description": "demo fleet",
	} {
		if m.Annotations[key] != want {
			t.Errorf("annotation %s = %q, want %q", key, m.Annotations[key], want)
		}
	}
	if m.Annotations["org.opencontainers.image.created"] == "" {
		t.Error("no created annotation")
	}
	if a.Digest != p.Digest {
		t.Errorf("registry digest %s, printed %s", a.Digest, p.Digest)
	}
}

func TestPushPullListRoundTrip(t *testing.T) {
	isolate(t)
	reg := ociregistry.New(t, ociregistry.Options{})
	src := writeTree(t, fleet)
	for _, tag := range []string{"v1.0.0", "v1.1.0", "v2.0.0"} {
		_, errOut, err := run(t, "", "push", "artifact", reg.Ref("org/fleet:"+tag), "--path", src,
			"--source", source, "--revision", tag+"@sha1:abc")
		if err != nil {
			t.Fatalf("push %s: %v\n%s", tag, err, errOut)
		}
		if !strings.Contains(errOut, "artifact successfully pushed to "+reg.Host+"/org/fleet@sha256:") {
			t.Errorf("push printed %q", errOut)
		}
	}

	dest := t.TempDir()
	_, errOut, err := run(t, "", "pull", "artifact", reg.Ref("org/fleet:v1.1.0"), "--output", dest)
	if err != nil {
		t.Fatalf("pull: %v\n%s", err, errOut)
	}
	for _, want := range []string{"source " + source, "revision v1.1.0@sha1:abc", "digest sha256:", "extracted to " + dest} {
		if !strings.Contains(errOut, want) {
			t.Errorf("pull output %q lacks %q", errOut, want)
		}
	}
	if data, err := os.ReadFile(filepath.Join(dest, "apps", "deploy.yaml")); err != nil || string(data) != fleet["apps/deploy.yaml"] {
		t.Errorf("apps/deploy.yaml = %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(dest, ".git")); err == nil {
		t.Error(".git was pushed although the default --ignore-paths leave it out")
	}

	out, errOut, err := run(t, "", "list", "artifacts", reg.Ref("org/fleet"), "--filter-semver", ">=1.1.0")
	if err != nil {
		t.Fatalf("list: %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ARTIFACT") ||
		!strings.HasPrefix(lines[1], reg.Host+"/org/fleet:v2.0.0") || !strings.Contains(lines[1], "v2.0.0@sha1:abc") ||
		!strings.HasPrefix(lines[2], reg.Host+"/org/fleet:v1.1.0") || !strings.Contains(lines[2], source) {
		t.Errorf("list printed:\n%s", out)
	}
}

// --reproducible: equal folders give equal artifact digests; without it the
// created time differs, as in Flux, but the layer stays equal.
func TestPushReproducible(t *testing.T) {
	isolate(t)
	reg := ociregistry.New(t, ociregistry.Options{})
	args := func(ref, dir string) []string {
		return []string{reg.Ref(ref), "--path", dir, "--source", source, "--revision", revision, "--reproducible"}
	}
	first := pushJSON(t, args("a/one:v1", writeTree(t, fleet))...)
	second := pushJSON(t, args("b/two:v1", writeTree(t, fleet))...)
	if first.Digest != second.Digest {
		t.Errorf("equal folders pushed as %s and %s", first.Digest, second.Digest)
	}
}

func TestPushFromStdin(t *testing.T) {
	isolate(t)
	reg := ociregistry.New(t, ociregistry.Options{})
	_, errOut, err := run(t, "kind: ConfigMap\n", "push", "artifact", reg.Ref("org/stdin:v1"), "-f", "-",
		"--source", source, "--revision", revision)
	if err != nil {
		t.Fatalf("push: %v\n%s", err, errOut)
	}
	dest := t.TempDir()
	if _, errOut, err := run(t, "", "pull", "artifact", reg.Ref("org/stdin:v1"), "-o", dest); err != nil {
		t.Fatalf("pull: %v\n%s", err, errOut)
	}
	entries, _ := os.ReadDir(dest)
	if len(entries) != 1 {
		t.Fatalf("pulled %d entries, want the one file read from stdin", len(entries))
	}
	if data, _ := os.ReadFile(filepath.Join(dest, entries[0].Name())); string(data) != "kind: ConfigMap\n" {
		t.Errorf("pulled %q", data)
	}
}

func TestCredentials(t *testing.T) {
	dockerConfig := isolate(t)
	reg := ociregistry.New(t, ociregistry.Options{Username: "flux", Password: "s3cret"})
	src := writeTree(t, fleet)
	url := reg.Ref("private/fleet:v1")
	push := []string{"push", "artifact", url, "--path", src, "--source", source, "--revision", revision}

	_, _, err := run(t, "", push...)
	if err == nil || !strings.Contains(err.Error(), "refused the credentials") {
		t.Fatalf("push without credentials: %v, want the registry's refusal", err)
	}
	_, _, err = run(t, "", append(push, "--creds", "flux:wrong")...)
	if err == nil || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("push with a wrong password: %v, want a refusal that does not show the password", err)
	}
	if _, errOut, err := run(t, "", append(push, "--creds", "flux:s3cret")...); err != nil {
		t.Fatalf("push with --creds: %v\n%s", err, errOut)
	}

	// Without --creds, docker login's config is read.
	auth := base64.StdEncoding.EncodeToString([]byte("flux:s3cret"))
	cfg := `{"auths":{"` + reg.Host + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dockerConfig, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := run(t, "", "pull", "artifact", url, "--output", t.TempDir()); err != nil {
		t.Fatalf("pull with the docker config: %v\n%s", err, errOut)
	}
	if _, errOut, err := run(t, "", "list", "artifacts", reg.Ref("private/fleet")); err != nil {
		t.Fatalf("list with the docker config: %v\n%s", err, errOut)
	}
}

func TestBadInput(t *testing.T) {
	isolate(t)
	reg := ociregistry.New(t, ociregistry.Options{})
	src := writeTree(t, fleet)
	url := reg.Ref("org/fleet:v1")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no source", []string{"push", "artifact", url, "--path", src, "--revision", revision}, "--source is required"},
		{"no revision", []string{"push", "artifact", url, "--path", src, "--source", source}, "--revision is required"},
		{"no path", []string{"push", "artifact", url, "--source", source, "--revision", revision}, "--path is required"},
		{"missing path", []string{"push", "artifact", url, "--path", filepath.Join(src, "nope"), "--source", source, "--revision", revision},
			"must point to an existing directory or file"},
		{"no scheme", []string{"push", "artifact", strings.TrimPrefix(url, "oci://"), "--path", src, "--source", source, "--revision", revision},
			"must start with oci://"},
		{"bad annotation", []string{"push", "artifact", url, "--path", src, "--source", source, "--revision", revision, "-a", "novalue"},
			"must be in the format <key>=<value>"},
		{"cloud provider", []string{"push", "artifact", url, "--path", src, "--source", source, "--revision", revision, "--provider", "aws"},
			"--provider aws is not supported by tide yet"},
		{"pull without output", []string{"pull", "artifact", url}, "--output is required"},
		{"pull into a missing folder", []string{"pull", "artifact", url, "--output", filepath.Join(src, "nope")}, "must be an existing folder"},
		{"pull an unknown tag", []string{"pull", "artifact", reg.Ref("org/fleet:nope"), "--output", t.TempDir()}, "not found"},
		{"list a tag", []string{"list", "artifacts", url}, "without a tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one saying %q", err, tt.want)
			}
		})
	}
}
