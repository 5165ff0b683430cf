// Package ignore decides which files of a checkout go into an artifact, by
// Flux's rules, so that artifacts hold the same files as Flux's. Flux builds
// one list of .gitignore patterns, where a later pattern wins over an
// earlier one:
//
//   - Git's own files (VCSPatterns) first, so a '!' pattern can bring them
//     back (except .git itself, which storage never archives);
//   - then Flux's DefaultPatterns, but only while neither a .sourceignore
//     nor spec.ignore gives a pattern: one pattern, from either place,
//     replaces the whole default list;
//   - then the patterns of every .sourceignore file, each scoped to its own
//     folder, a folder's file before those of its subfolders (the tree is
//     read as sourcetree shows it: through the symlinks that stay inside);
//   - then spec.ignore, so it can overrule a .sourceignore ('!pattern'
//     brings back what a .sourceignore left out; the reverse is not true).
//
// As in Flux, every path is matched on its own: a '!' pattern can keep a
// file whose folder is excluded (unlike git, which would not look inside).
//
// A folder that spec.ignore excludes while spec.ignore has no '!' pattern is
// not even read (Pruned): nothing below it can come back, since spec.ignore
// has the last word. That is how a user keeps symlinked folders that copy
// too much (see sourcetree's bounds) out of both walks, this one and the
// archive's, which would otherwise fail.
package ignore

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/tidegitops/tide/source-controller/internal/sourcetree"
)

// FileName is the per-folder ignore file read from the checkout.
const FileName = ".sourceignore"

// VCSPatterns are Git's files, left out unless a pattern brings them back.
var VCSPatterns = []string{".git/", ".gitignore", ".gitmodules", ".gitattributes"}

// DefaultPatterns are left out while neither a .sourceignore nor
// spec.ignore has a pattern: binary and archive formats, CI and tool
// configuration.
var DefaultPatterns = []string{
	"*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
	".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml",
	"cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml",
	"**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml",
}

// Matcher reports whether a path, relative to the checkout root with '/'
// separators, is excluded from the artifact.
type Matcher struct {
	m gitignore.Matcher
	// prune is spec.ignore alone, nil when it has a '!' pattern or none.
	prune gitignore.Matcher
}

// New reads the ignore rules for the checkout at root. spec is the object's
// spec.ignore; nil keeps the defaults.
func New(root string, spec *string) (*Matcher, error) {
	return NewFS(os.DirFS(root).(fs.ReadLinkFS), spec)
}

// NewFS is New for a checkout held in a file system, such as a Git tree.
func NewFS(root fs.ReadLinkFS, spec *string) (*Matcher, error) {
	var specLines []string
	if spec != nil {
		specLines = lines(*spec)
	}
	specPatterns := parse(specLines, nil)
	m := &Matcher{prune: pruner(specLines, specPatterns)}
	patterns, err := readIgnoreFiles(root, m)
	if err != nil {
		return nil, err
	}
	patterns = append(patterns, specPatterns...)
	base := parse(VCSPatterns, nil)
	if len(patterns) == 0 {
		base = append(base, parse(DefaultPatterns, nil)...)
	}
	m.m = gitignore.NewMatcher(append(base, patterns...))
	return m, nil
}

// pruner matches with spec.ignore alone when that decides for everything
// below a folder it excludes: it comes after every other pattern, so only
// one of its own '!' patterns could bring something back. A pattern that
// matches a folder matches what is below it too (gitignore matches each
// element of the path).
func pruner(lines []string, patterns []gitignore.Pattern) gitignore.Matcher {
	if len(patterns) == 0 {
		return nil
	}
	for _, line := range lines {
		if strings.HasPrefix(line, "!") {
			return nil
		}
	}
	return gitignore.NewMatcher(patterns)
}

// Pruned reports whether the folder rel and everything below it are
// excluded whatever the tree holds, so a walk need not enter it.
func (m *Matcher) Pruned(rel string) bool {
	return m.prune != nil && m.prune.Match(strings.Split(filepath.ToSlash(rel), "/"), true)
}

// Excluded reports whether rel (a file, or a folder when isDir) is left out.
func (m *Matcher) Excluded(rel string, isDir bool) bool {
	return m.m.Match(strings.Split(filepath.ToSlash(rel), "/"), isDir)
}

// readIgnoreFiles parses every .sourceignore of the tree as sourcetree
// shows it, so one reached through a symlink counts, for the link's folder,
// as it does in Flux's checkout once links are copies. A folder's file comes
// before those of its subfolders, so a deeper file's patterns override its
// parents'.
//
// A pruned folder is not entered: its .sourceignore files could only add
// patterns for paths spec.ignore excludes anyway.
func readIgnoreFiles(root fs.ReadLinkFS, m *Matcher) ([]gitignore.Pattern, error) {
	folders := []string{"."} // in the order the walk enters them
	found := map[string][]gitignore.Pattern{}
	err := sourcetree.Walk(root, func(e sourcetree.Entry) error {
		if e.IsDir && m.Pruned(e.Path) {
			return fs.SkipDir
		}
		if e.IsDir {
			folders = append(folders, e.Path)
			return nil
		}
		if path.Base(e.Path) != FileName {
			return nil
		}
		content, err := fs.ReadFile(root, e.Source)
		if err != nil {
			return err
		}
		var domain []string
		if dir := path.Dir(e.Path); dir != "." {
			domain = strings.Split(dir, "/")
		}
		found[path.Dir(e.Path)] = parse(lines(string(content)), domain)
		return nil
	})
	var patterns []gitignore.Pattern
	for _, folder := range folders {
		patterns = append(patterns, found[folder]...)
	}
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

// parse skips blank lines and comments, as Flux does; gitignore trims the
// trailing spaces of the others.
func parse(lines []string, domain []string) []gitignore.Pattern {
	var patterns []gitignore.Pattern
	for _, line := range lines {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		patterns = append(patterns, gitignore.ParsePattern(line, domain))
	}
	return patterns
}
