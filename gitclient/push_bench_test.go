package gitclient

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidegitops/tide/testkit"
)

// BenchmarkUpdate10k: clone, rewrite 100 of 10,000 files, commit and push,
// with a worktree (Change) and without (ChangeFiles).
func BenchmarkUpdate10k(b *testing.B) {
	b.Run("worktree", func(b *testing.B) { benchmarkUpdate10k(b, false) })
	b.Run("object-store", func(b *testing.B) { benchmarkUpdate10k(b, true) })
}

func benchmarkUpdate10k(b *testing.B, withoutWorktree bool) {
	srv := testkit.StartGitServer(b)
	files := map[string]string{}
	var marked []string
	for i := range 10000 {
		name := fmt.Sprintf("apps/app-%03d/f-%05d.yaml", i/100, i)
		files[name] = fmt.Sprintf("kind: ConfigMap\nmetadata:\n  name: f-%05d\ndata:\n  image: web:0\n", i)
		if i%100 == 0 {
			marked = append(marked, name)
		}
	}
	srv.NewRepo(b, "fleet").WriteFiles(files).Commit("fleet")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		change := func(dir string) (string, []string, error) {
			for _, m := range marked {
				p := filepath.Join(dir, m)
				old, err := os.ReadFile(p)
				if err != nil {
					return "", nil, err
				}
				if err := os.WriteFile(p, []byte(strings.Replace(string(old), "image: web:", fmt.Sprintf("image: web:%d", i+1), 1)), 0o644); err != nil {
					return "", nil, err
				}
			}
			return "update", marked, nil
		}
		opts := UpdateOptions{URL: srv.HTTPURL("fleet"), Checkout: Ref{Branch: "master"}, Author: bot, Change: change}
		if withoutWorktree {
			opts.Change, opts.ChangeFiles = nil, func(files fs.FS) (string, map[string][]byte, error) {
				out := map[string][]byte{}
				for _, m := range marked {
					old, err := fs.ReadFile(files, m)
					if err != nil {
						return "", nil, err
					}
					out[m] = []byte(strings.Replace(string(old), "image: web:", fmt.Sprintf("image: web:%d", i+1), 1))
				}
				return "update", out, nil
			}
		}
		res, err := Update(context.Background(), b.TempDir(), opts)
		if err != nil || res.Commit == "" {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
