package sourcetree

import (
	"fmt"
	"io/fs"
)

// Bounds on what symlinks may add to a walk. A link to a directory is walked
// as a full copy of it (as Flux archives it), so links to links multiply:
// one file and 60 links, 6 levels of 10 each pointing at the level below,
// already make 2.3 million entries, and every further level ten times more.
// Entries the repository holds as themselves are not bounded here: they
// are what the clone already cost.
//
// Real repositories link a shared base or chart folder a few times: a few
// thousand entries and some megabytes. The bounds are two orders of
// magnitude above that, yet low enough that reaching one takes well under a
// second and at most that much disk.
const (
	// MaxLinkedEntries bounds the directories and files reached through
	// symlinks in one walk, the links themselves included.
	MaxLinkedEntries = 100_000
	// MaxLinkedBytes bounds the size of the files reached through symlinks
	// in one walk (each copy counts): 1 GiB.
	MaxLinkedBytes = 1 << 30
)

// LimitError is returned by Walk when symlinks add more than
// MaxLinkedEntries entries or MaxLinkedBytes bytes.
type LimitError struct {
	// Link is the outermost symlink through which the entry that went past
	// the bound was reached: a path of the repository itself, no link above
	// it, so one that can be removed or matched by an ignore pattern.
	Link string
	// What names the bound: "entries" or "bytes".
	What  string
	Limit int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("symlinked folders add more than %d %s through links (bound reached below the link '%s')",
		e.Limit, e.What, e.Link)
}

// linkBudget counts what links added so far in one walk.
type linkBudget struct {
	entries int64
	bytes   int64
}

// add counts e, reached through the link at via, and fails once a bound is
// passed. A file's size is read from its source, so every copy counts.
func (b *linkBudget) add(root fs.FS, e Entry, via string) error {
	if b.entries++; b.entries > MaxLinkedEntries {
		return &LimitError{Link: via, What: "entries", Limit: MaxLinkedEntries}
	}
	if e.IsDir {
		return nil
	}
	fi, err := fs.Stat(root, e.Source)
	if err != nil {
		return err
	}
	if b.bytes += fi.Size(); b.bytes > MaxLinkedBytes {
		return &LimitError{Link: via, What: "bytes", Limit: MaxLinkedBytes}
	}
	return nil
}
