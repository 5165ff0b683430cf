// Package ignore decides which files of a checkout go into an artifact. It
// follows Flux's rules so that artifacts hold the same files: .git is always
// left out; then either Flux's default exclusions or, when the user set
// spec.ignore, those patterns instead; then every .sourceignore file in the
// checkout, each scoped to its own folder. Patterns use .gitignore syntax and
// later patterns win, so a '!' pattern can bring a file back.
package ignore

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// FileName is the per-folder ignore file read from the checkout.
const FileName = ".sourceignore"

// alwaysExcluded cannot be brought back: Git's own metadata never ships.
var alwaysExcluded = []string{".git/"}

// DefaultPatterns are excluded unless spec.ignore replaces them: VCS files,
// binary and archive formats, CI and tool configuration.
var DefaultPatterns = []string{
	".gitignore", ".gitmodules", ".gitattributes",
	"*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
	".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml",
	"cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml",
	"**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml",
}

// Matcher reports whether a path, relative to the checkout root with '/'
// separators, is excluded from the artifact.
type Matcher struct {
	m gitignore.Matcher
}

// New reads the ignore rules for the checkout at root. spec is the object's
// spec.ignore; nil keeps the defaults.
func New(root string, spec *string) (*Matcher, error) {
	return NewFS(os.DirFS(root), spec)
}

// NewFS is New for a checkout held in a file system, such as a Git tree.
func NewFS(root fs.FS, spec *string) (*Matcher, error) {
	patterns := parse(alwaysExcluded, nil)
	if spec != nil {
		patterns = append(patterns, parse(lines(*spec), nil)...)
	} else {
		patterns = append(patterns, parse(DefaultPatterns, nil)...)
	}
	fromFiles, err := readIgnoreFiles(root)
	if err != nil {
		return nil, err
	}
	patterns = append(patterns, fromFiles...)
	return &Matcher{m: gitignore.NewMatcher(patterns)}, nil
}

// Excluded reports whether rel (a file, or a folder when isDir) is left out.
func (m *Matcher) Excluded(rel string, isDir bool) bool {
	return m.m.Match(strings.Split(filepath.ToSlash(rel), "/"), isDir)
}

// readIgnoreFiles parses every .sourceignore below root, in walk order so a
// deeper file's patterns come after (and override) its parents'.
func readIgnoreFiles(root fs.FS) ([]gitignore.Pattern, error) {
	var patterns []gitignore.Pattern
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return fs.SkipDir
		}
		if d.IsDir() || d.Name() != FileName || !d.Type().IsRegular() {
			return nil
		}
		content, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		var domain []string
		if dir := path.Dir(p); dir != "." {
			domain = strings.Split(dir, "/")
		}
		patterns = append(patterns, parse(lines(string(content)), domain)...)
		return nil
	})
	return patterns, err
}

func lines(text string) []string {
	var out []string
	scanner := bufio.NewScanner(strings.NewReader(text))
	for scanner.Scan() {
		out = append(out, scanner.Text())
	}
	return out
}

func parse(lines []string, domain []string) []gitignore.Pattern {
	var patterns []gitignore.Pattern
	for _, line := range lines {
		line = strings.TrimRight(line, " \t\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		patterns = append(patterns, gitignore.ParsePattern(line, domain))
	}
	return patterns
}
