package gitclient

import (
	"io"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Commit is what Checkout checked out, with what a signature check needs.
type Commit struct {
	// Hash is the commit's SHA-1.
	Hash string
	// Revision is "<branch|tag|name>@sha1:<hash>" or "sha1:<hash>".
	Revision string
	// Reference is the full ref that was fetched; "" for a commit alone.
	Reference string
	// Message is the full commit message.
	Message string
	// Author and Committer of the commit.
	Author, Committer Person
	// Signature is the commit's armored PGP or SSH signature; "" if unsigned.
	Signature string
	// Payload is the commit object without its signature: the signed bytes.
	Payload []byte
	// Tag is the annotated tag that was checked out; nil for anything else,
	// lightweight tags included.
	Tag *Tag
	// Files is the commit's tree when it was fetched with NoWorktree; nil
	// otherwise (the files are then in the checkout directory).
	Files *TreeFS
}

// Tag is an annotated tag object.
type Tag struct {
	// Name is the tag's name, e.g. "v1.2.0".
	Name string
	// Hash is the tag object's SHA-1 (not the commit's).
	Hash string
	// Message is the tag's message, without signature.
	Message string
	// Tagger made the tag.
	Tagger Person
	// Signature is the tag's armored PGP or SSH signature; "" if unsigned.
	Signature string
	// Payload is the tag object without its signature: the signed bytes.
	Payload []byte
}

// Person is an author, committer or tagger.
type Person struct {
	Name, Email string
	When        time.Time
}

// Subject is the first line of the commit message.
func (c *Commit) Subject() string {
	s, _, _ := strings.Cut(c.Message, "\n")
	return s
}

// ShortHash is the first 12 characters of the hash, for messages.
func (c *Commit) ShortHash() string { return short(c.Hash) }

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func newCommit(c *object.Commit, revision, reference string, tag *object.Tag) (*Commit, error) {
	payload, err := encodedWithoutSignature(c)
	if err != nil {
		return nil, err
	}
	out := &Commit{
		Hash:      c.Hash.String(),
		Revision:  revision,
		Reference: reference,
		Message:   c.Message,
		Author:    person(c.Author),
		Committer: person(c.Committer),
		Signature: c.PGPSignature,
		Payload:   payload,
	}
	if tag != nil {
		tp, err := encodedWithoutSignature(tag)
		if err != nil {
			return nil, err
		}
		out.Tag = &Tag{
			Name:      tag.Name,
			Hash:      tag.Hash.String(),
			Message:   tag.Message,
			Tagger:    person(tag.Tagger),
			Signature: tag.PGPSignature,
			Payload:   tp,
		}
	}
	return out, nil
}

func person(s object.Signature) Person {
	return Person{Name: s.Name, Email: s.Email, When: s.When}
}

// encodedWithoutSignature returns the object's bytes as signed: go-git
// strips the signature from the raw object, preserving its exact bytes.
func encodedWithoutSignature(o interface {
	EncodeWithoutSignature(plumbing.EncodedObject) error
}) ([]byte, error) {
	enc := &plumbing.MemoryObject{}
	if err := o.EncodeWithoutSignature(enc); err != nil {
		return nil, err
	}
	r, err := enc.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
