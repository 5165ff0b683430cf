package sourcetree

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// maxLinkHops bounds the links followed to resolve one, so a loop of links
// ends as "left out".
const maxLinkHops = 40

// resolveLink follows the symlink at p (a slash path inside root whose
// parent directories are real directories) and returns the root-relative
// path of the directory or regular file it ends at. ok is false when the
// chain is absolute, steps above root at any point, dangles, loops, ends at
// anything else, or ends inside a ".git" directory (a link must not smuggle
// repository metadata, such as a remote URL with credentials, into the
// artifact). The root itself is returned as ".".
//
// Resolution is done by hand, one element at a time, so that the final path
// is known (for the ".git" rule and for the walk's loop check) and no step
// is ever taken outside root.
func resolveLink(root fs.ReadLinkFS, p string) (target string, isDir, ok bool) {
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
				return "", false, false // would leave root
			}
			resolved = resolved[:len(resolved)-1]
			continue
		}
		cur := path.Join(slices.Concat(resolved, []string{el})...)
		fi, err := root.Lstat(cur)
		if err != nil {
			return "", false, false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			// Anything still pending, even "" from a trailing slash, means el
			// must be a directory, as in POSIX path resolution.
			if len(pending) > 0 && !fi.IsDir() {
				return "", false, false
			}
			resolved = append(resolved, el)
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", false, false
		}
		link, err := root.ReadLink(cur)
		if err != nil || link == "" || strings.HasPrefix(link, "/") {
			return "", false, false
		}
		pending = append(strings.Split(link, "/"), pending...)
	}
	if slices.Contains(resolved, ".git") {
		return "", false, false
	}
	target = path.Join(resolved...)
	if target == "" {
		return ".", true, true
	}
	fi, err := root.Lstat(target)
	if err != nil {
		return "", false, false
	}
	return target, fi.IsDir(), fi.IsDir() || fi.Mode().IsRegular()
}
