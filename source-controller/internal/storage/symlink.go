package storage

import (
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxLinkHops bounds symlink resolution, so a loop ends as "skip".
const maxLinkHops = 40

// resolveLink follows the symlink at p (a slash path inside root whose parent
// directories are real directories) and returns the root-relative path of
// the regular file it ends at. ok is false when the chain is absolute, steps
// above root at any point, dangles, loops, ends at something other than a
// regular file, or ends inside a ".git" directory (a link must not smuggle
// repository metadata, such as a remote URL with credentials, into the
// artifact).
//
// Resolution is done by hand, one element at a time, instead of with
// os.Root.Stat because Archive needs the final path to apply the ".git" rule.
func resolveLink(root fs.ReadLinkFS, p string) (target string, ok bool) {
	var resolved []string // elements known to be real directories
	if dir := path.Dir(p); dir != "." {
		resolved = strings.Split(dir, "/")
	}
	pending := []string{path.Base(p)}
	hops := 0
	for len(pending) > 0 {
		el := pending[0]
		pending = pending[1:]
		switch el {
		case "", ".":
			continue
		case "..":
			if len(resolved) == 0 {
				return "", false // would leave root
			}
			resolved = resolved[:len(resolved)-1]
			continue
		}
		cur := path.Join(slices.Concat(resolved, []string{el})...)
		fi, err := root.Lstat(cur)
		if err != nil {
			return "", false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			// Anything still pending, even "" from a trailing slash, means el
			// must be a directory, as in POSIX path resolution.
			if len(pending) > 0 && !fi.IsDir() {
				return "", false
			}
			resolved = append(resolved, el)
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", false
		}
		link, err := root.ReadLink(cur)
		if err != nil || link == "" || filepath.IsAbs(link) || strings.HasPrefix(link, "/") {
			return "", false
		}
		pending = append(strings.Split(link, "/"), pending...)
	}
	if len(resolved) == 0 || slices.Contains(resolved, ".git") {
		return "", false
	}
	target = path.Join(resolved...)
	fi, err := root.Lstat(target)
	return target, err == nil && fi.Mode().IsRegular()
}
