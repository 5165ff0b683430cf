package gitclient

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"

	"github.com/tidegitops/tide/testkit"
)

// setFile is a ChangeFiles that sets file to content, reporting nothing
// changed when it already holds it.
func setFile(file, content string) func(fs.FS) (string, map[string][]byte, error) {
	return func(files fs.FS) (string, map[string][]byte, error) {
		old, err := fs.ReadFile(files, file)
		if err != nil {
			return "", nil, err
		}
		if string(old) == content {
			return "", nil, nil
		}
		return "update " + file, map[string][]byte{file: []byte(content)}, nil
	}
}

func TestUpdateWithoutWorktree(t *testing.T) {
	srv := testkit.StartGitServer(t)
	upstream := srv.NewRepo(t, "app").Write("apps/app.yaml", "v1").Write("apps/other.yaml", "o").Write("top.txt", "t")
	base := upstream.Commit("one")
	entity, public := testkit.NewPGPKey(t, "bot")
	var private bytes.Buffer
	w, _ := armor.Encode(&private, openpgp.PrivateKeyType, nil)
	if err := entity.SerializePrivate(w, nil); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	signer, err := SignerFromSecret("gpg", map[string][]byte{"git.asc": private.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	var theirs string
	change := func(files fs.FS) (string, map[string][]byte, error) {
		runs++
		if runs == 1 { // someone pushes while the update is being made
			theirs = upstream.Write("top.txt", "theirs").Commit("someone else")
		}
		return setFile("apps/app.yaml", "v2")(files)
	}
	opts := UpdateOptions{URL: srv.HTTPURL("app"), Checkout: Ref{Branch: "master"}, Author: bot, Signer: signer, ChangeFiles: change}
	res, err := Update(context.Background(), t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	tip := remoteCommit(t, srv, "app", "master")
	if res.Attempts != 2 || tip.Hash.String() != res.Commit || tip.ParentHashes[0].String() != theirs || res.Base.Hash == base {
		t.Fatalf("result %+v, tip %s on %v, theirs %s", res, tip.Hash, tip.ParentHashes, theirs)
	}
	for file, want := range map[string]string{"apps/app.yaml": "v2", "apps/other.yaml": "o", "top.txt": "theirs"} {
		if got := fileAt(t, tip, file); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	if tip.Message != "update apps/app.yaml" || tip.Author.Email != bot.Email {
		t.Errorf("commit %q by %s", tip.Message, tip.Author.Email)
	}
	c, err := Checkout(context.Background(), srv.HTTPURL("app"), nil, Ref{Branch: "master"}, t.TempDir(), CheckoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyCommit(c, map[string][]byte{"bot.asc": public}); err != nil {
		t.Errorf("signature: %v", err)
	}

	// Nothing to change: nothing pushed.
	opts.ChangeFiles = setFile("apps/app.yaml", "v2")
	if res, err := Update(context.Background(), t.TempDir(), opts); err != nil || res.Commit != "" {
		t.Fatalf("unchanged: %+v %v", res, err)
	}

	// Another branch: created from master, then built on.
	opts.Branch, opts.Signer, opts.ChangeFiles = "auto", nil, setFile("apps/other.yaml", "o2")
	first, err := Update(context.Background(), t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.ChangeFiles = setFile("top.txt", "mine")
	second, err := Update(context.Background(), t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	auto := remoteCommit(t, srv, "app", "auto")
	if auto.Hash.String() != second.Commit || auto.ParentHashes[0].String() != first.Commit || fileAt(t, auto, "apps/other.yaml") != "o2" {
		t.Errorf("branch auto not built commit on commit")
	}

	// New files are refused.
	opts.ChangeFiles = func(fs.FS) (string, map[string][]byte, error) {
		return "add", map[string][]byte{"new.yaml": []byte("x")}, nil
	}
	if _, err := Update(context.Background(), t.TempDir(), opts); err == nil || errors.Is(err, ErrLostRace) {
		t.Errorf("adding a file: err = %v", err)
	}
}
