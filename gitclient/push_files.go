package gitclient

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// attemptFiles is attempt without a worktree: the files are read from the
// object store, and the changed blobs, the trees above them and the commit
// are written straight into it.
func attemptFiles(ctx context.Context, dir, branch string, specs []config.RefSpec, opts UpdateOptions) (UpdateResult, *plumbing.Hash, error) {
	res := UpdateResult{Branch: branch}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, nil, err
	}
	base, err := Checkout(ctx, opts.URL, opts.Auth, opts.Checkout, dir, CheckoutOptions{NoWorktree: true})
	if err != nil {
		return res, nil, err
	}
	_ = base.Files.Close()
	base.Files = nil
	res.Base = base
	store := filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRU(objectCacheSize),
		filesystem.Options{KeepDescriptors: true})
	defer store.Close()
	repo, err := gogit.Open(store, nil)
	if err != nil {
		return res, nil, err
	}
	start, newBranch, err := startOf(ctx, repo, branch, opts, base)
	if err != nil {
		return res, nil, err
	}
	parent, err := repo.CommitObject(start)
	if err != nil {
		return res, nil, err
	}
	tree, err := parent.Tree()
	if err != nil {
		return res, nil, err
	}
	message, changed, err := opts.ChangeFiles(newTreeFS(tree, nil))
	if err != nil || message == "" {
		return res, nil, err
	}
	treeHash, err := rewriteTree(store, tree, changed)
	if err != nil {
		return res, nil, err
	}
	hash, err := writeCommit(store, treeHash, start, message, opts)
	if err != nil {
		return res, nil, err
	}
	if err := store.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName(branch), hash)); err != nil {
		return res, nil, err
	}
	if err := push(ctx, repo, specs, opts); err != nil {
		if newBranch {
			start = plumbing.ZeroHash
		}
		return res, &start, err
	}
	res.Commit = hash.String()
	return res, nil, nil
}

// rewriteTree writes the changed files' blobs and every tree above them, and
// returns the new root tree. Only existing regular files may change.
func rewriteTree(s storer.EncodedObjectStorer, root *object.Tree, changed map[string][]byte) (plumbing.Hash, error) {
	dirs := map[string]bool{}
	for p := range changed {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	found := 0
	var walk func(t *object.Tree, prefix string) (plumbing.Hash, error)
	walk = func(t *object.Tree, prefix string) (plumbing.Hash, error) {
		entries := append([]object.TreeEntry(nil), t.Entries...)
		for i, e := range entries {
			p := path.Join(prefix, e.Name)
			switch {
			case e.Mode == filemode.Dir && dirs[p]:
				sub, err := t.Tree(e.Name)
				if err != nil {
					return plumbing.ZeroHash, err
				}
				if entries[i].Hash, err = walk(sub, p); err != nil {
					return plumbing.ZeroHash, err
				}
			case e.Mode.IsFile() && e.Mode != filemode.Symlink:
				data, ok := changed[p]
				if !ok {
					continue
				}
				found++
				h, err := writeObject(s, plumbing.BlobObject, data)
				if err != nil {
					return plumbing.ZeroHash, err
				}
				entries[i].Hash = h
			}
		}
		nt := &object.Tree{Entries: entries}
		obj := s.NewEncodedObject()
		if err := nt.Encode(obj); err != nil {
			return plumbing.ZeroHash, err
		}
		return s.SetEncodedObject(obj)
	}
	h, err := walk(root, "")
	if err != nil {
		return h, err
	}
	if found != len(changed) {
		var names []string
		for p := range changed {
			names = append(names, p)
		}
		sort.Strings(names)
		return h, fmt.Errorf("only existing regular files can be changed; among %s some are not", strings.Join(names, ", "))
	}
	return h, nil
}

func writeObject(s storer.EncodedObjectStorer, typ plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(typ)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// writeCommit writes the commit of tree on parent, signed when opts says so
// (the signature covers the commit without it, as git signs).
func writeCommit(s storer.EncodedObjectStorer, tree, parent plumbing.Hash, message string, opts UpdateOptions) (plumbing.Hash, error) {
	when := opts.Author.When
	if when.IsZero() {
		when = time.Now()
	}
	sig := object.Signature{Name: opts.Author.Name, Email: opts.Author.Email, When: when}
	c := &object.Commit{Author: sig, Committer: sig, Message: message, TreeHash: tree, ParentHashes: []plumbing.Hash{parent}}
	if opts.Signer != nil {
		unsigned := &plumbing.MemoryObject{}
		if err := c.EncodeWithoutSignature(unsigned); err != nil {
			return plumbing.ZeroHash, err
		}
		r, err := unsigned.Reader()
		if err != nil {
			return plumbing.ZeroHash, err
		}
		signature, err := opts.Signer.Sign(r)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("cannot sign the commit: %w", err)
		}
		c.PGPSignature = string(signature)
	}
	obj := s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

var _ fs.FS = (*TreeFS)(nil)
