// Package sourcetree walks a checkout the way Flux archives it: every
// symlink that stays inside the checkout stands for what it points to, a
// link to a file as that file and a link to a directory as a copy of that
// directory, and every other symlink is left out.
//
// Flux gets there by replacing the links of its checkout with copies before
// archiving; Tide reads the files where they are (often straight from Git's
// object store, where a link is a blob of mode 120000), so it walks the
// tree as if the copies had been made. The ignore rules and the archive
// both see this same tree, so a .sourceignore inside a linked directory
// applies below the link, and a pattern matches the link's path, as in
// Flux.
//
// Tide is stricter than Flux where Flux's copy would reach outside the
// checkout or never end: a link is followed only if every step of it stays
// inside the tree (a chain ending outside, or an absolute target, is left
// out), never into a ".git" directory, and a link to a directory that holds
// the link (or any directory being walked) is left out instead of being
// copied into itself without end. It also bounds what links may add (see
// limit.go): links that each point at the level below fan out into millions
// of copies without any loop, so past that bound the walk fails with a
// *LimitError instead of filling the disk.
package sourcetree

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// Entry is one directory or regular file of the walked tree.
type Entry struct {
	// Path is where the entry appears: slash-separated, relative to the
	// root. Below a linked directory it is under the link's path.
	Path string
	// Source is the path whose content the entry has: Path itself, the
	// target of a link, or the same path below a linked directory's target.
	// It never names a symlink, nor passes through one.
	Source string
	IsDir  bool
}

// WalkFunc is called for each entry. Returning fs.SkipDir for a directory
// skips what is below it; any other error stops the walk.
type WalkFunc func(e Entry) error

// Walk calls fn for every directory and regular file below root (root
// itself excluded), in order: the entries of a directory sorted by name,
// each directory followed by its content. Anything named ".git" is left
// out with all below it, as are sockets, devices and named pipes. An error
// reading the tree stops the walk: a directory that cannot be read would
// otherwise silently drop content.
//
// Entries reached through links (the link itself included) count against
// MaxLinkedEntries and their files against MaxLinkedBytes; a directory fn
// skips is not walked, so what is below it does not count. Past either
// bound Walk returns a *LimitError.
func Walk(root fs.ReadLinkFS, fn WalkFunc) error {
	w := walker{root: root, fn: fn}
	return w.dir(".", ".", "", []string{"."})
}

type walker struct {
	root fs.ReadLinkFS
	fn   WalkFunc
	used linkBudget
}

// dir walks the directory shown at view whose content is at source. link
// is the outermost symlink above view ("" when none): a real path of the
// repository, which the user can remove or exclude. open holds the source
// of every directory from the root down to this one: a link to any of them,
// or to a directory above one of them, would contain itself.
func (w *walker) dir(view, source, link string, open []string) error {
	entries, err := fs.ReadDir(w.root, source)
	if err != nil {
		return err
	}
	for _, d := range entries {
		if d.Name() == ".git" {
			continue
		}
		e := Entry{Path: path.Join(view, d.Name())}
		via := link
		e.Source = e.Path // one string while no link was crossed: most of a tree
		if source != view {
			e.Source = path.Join(source, d.Name())
		}
		switch {
		case d.IsDir():
			e.IsDir = true
		case d.Type().IsRegular():
		case d.Type()&fs.ModeSymlink != 0:
			target, isDir, ok := resolveLink(w.root, e.Source)
			if !ok || (isDir && containsAny(target, open)) {
				continue
			}
			e.Source, e.IsDir = target, isDir
			if via == "" {
				via = e.Path
			}
		default:
			continue
		}
		if via != "" {
			if err := w.used.add(w.root, e, via); err != nil {
				return err
			}
		}
		if err := w.visit(e, via, open); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) visit(e Entry, link string, open []string) error {
	err := w.fn(e)
	if !e.IsDir {
		return err
	}
	if errors.Is(err, fs.SkipDir) {
		return nil
	}
	if err != nil {
		return err
	}
	return w.dir(e.Path, e.Source, link, append(open[:len(open):len(open)], e.Source))
}

// containsAny reports whether dir is one of paths or above one of them.
func containsAny(dir string, paths []string) bool {
	for _, p := range paths {
		if dir == "." || p == dir || strings.HasPrefix(p, dir+"/") {
			return true
		}
	}
	return false
}
