package artifact

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	. "github.com/onsi/gomega"
)

func TestGetUnpacksArtifact(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	body := tarball(t,
		dir("app/"),
		file("app/kustomization.yaml", "resources: [deploy.yaml]\n"),
		tarEntry{name: "app/scripts/run.sh", body: "#!/bin/sh\n", mode: 0o700},
		tarEntry{name: "README.md", body: "hello", mode: 0o600},
		symlink("app/bin", "scripts"),
		symlink("latest", "app/kustomization.yaml"),
	)
	c, cacheDir := newTestCache(t, Options{})

	dir, release, err := c.Get(context.Background(), srv.serve("/gitrepository/a.tar.gz", body), sha256Of(body))
	g.Expect(err).NotTo(HaveOccurred())
	defer release()

	g.Expect(dir).To(Equal(filepath.Join(cacheDir, "sha256-"+strings.TrimPrefix(sha256Of(body), "sha256:"))))
	g.Expect(os.ReadFile(filepath.Join(dir, "app/kustomization.yaml"))).To(BeEquivalentTo("resources: [deploy.yaml]\n"))
	g.Expect(os.ReadFile(filepath.Join(dir, "latest"))).To(BeEquivalentTo("resources: [deploy.yaml]\n"))
	g.Expect(os.Readlink(filepath.Join(dir, "app/bin"))).To(Equal("scripts"))
	g.Expect(os.ReadFile(filepath.Join(dir, "app/bin/run.sh"))).To(BeEquivalentTo("#!/bin/sh\n"))

	modes := map[string]os.FileMode{
		"app":                0o755 | os.ModeDir,
		"app/scripts":        0o755 | os.ModeDir, // made implicitly, for its file
		"app/scripts/run.sh": 0o755,              // any exec bit: 0755
		"README.md":          0o644,              // 0600 in the archive
	}
	for name, want := range modes {
		fi, err := os.Lstat(filepath.Join(dir, name))
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(fi.Mode()).To(Equal(want), name)
	}
	g.Expect(names(t, cacheDir)).To(ConsistOf(filepath.Base(dir)), "no temporary files are left")
}

func TestGetSupportsSHA384AndSHA512(t *testing.T) {
	srv := newArtifactServer(t)
	body := tarball(t, file("a.yaml", "a"))
	url := srv.serve("/a.tar.gz", body)
	sum384, sum512 := sha512.Sum384(body), sha512.Sum512(body)
	tests := map[string]string{
		"sha384":                "sha384:" + hex.EncodeToString(sum384[:]),
		"sha512":                "sha512:" + hex.EncodeToString(sum512[:]),
		"upper case sha256 hex": "sha256:" + strings.ToUpper(strings.TrimPrefix(sha256Of(body), "sha256:")),
	}
	for name, digest := range tests {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			c, _ := newTestCache(t, Options{})
			dir, release, err := c.Get(context.Background(), url, digest)
			g.Expect(err).NotTo(HaveOccurred())
			defer release()
			g.Expect(os.ReadFile(filepath.Join(dir, "a.yaml"))).To(BeEquivalentTo("a"))
		})
	}
}

func TestGetRejectsInvalidDigest(t *testing.T) {
	srv := newArtifactServer(t)
	url := srv.serve("/a.tar.gz", tarball(t, file("a", "a")))
	for _, digest := range []string{
		"",
		"sha256",
		"md5:d41d8cd98f00b204e9800998ecf8427e",
		"sha256:abc",
		"sha256:" + strings.Repeat("zz", 32),
		"sha512:" + strings.Repeat("ab", 32), // a sha256 length
		"SHA256:" + strings.Repeat("ab", 32), // Flux writes the algorithm in lower case
	} {
		t.Run(digest, func(t *testing.T) {
			g := NewWithT(t)
			c, _ := newTestCache(t, Options{})
			_, _, err := c.Get(context.Background(), url, digest)
			g.Expect(err).To(MatchError(ErrInvalidDigest))
		})
	}
	NewWithT(t).Expect(srv.requests.Load()).To(BeZero(), "an invalid digest fails before any download")
}

func TestNewCacheRemovesStaleContent(t *testing.T) {
	g := NewWithT(t)
	dir := t.TempDir()
	stale := []string{".tmp-unpack-123/a.yaml", ".tmp-download-9", "sha256-" + strings.Repeat("ab", 32) + "/a.yaml"}
	for _, name := range append(stale, "not-ours/a.yaml") {
		p := filepath.Join(dir, name)
		g.Expect(os.MkdirAll(filepath.Dir(p), 0o755)).To(Succeed())
		g.Expect(os.WriteFile(p, nil, 0o644)).To(Succeed())
	}

	_, err := NewCache(dir, Options{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(names(t, dir)).To(Equal([]string{"not-ours"}), "only what the cache writes is removed")
}

func TestConcurrentGetsShareOneDownload(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	body := tarball(t, file("a.yaml", "a"))
	url := srv.serve("/a.tar.gz", body)
	gate := make(chan struct{})
	srv.hold(gate)
	c, _ := newTestCache(t, Options{})

	const callers = 50
	dirs := make([]string, callers)
	errs := make([]error, callers)
	releases := make([]func(), callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { dirs[i], releases[i], errs[i] = c.Get(context.Background(), url, sha256Of(body)) })
	}
	g.Eventually(srv.requests.Load).Should(BeEquivalentTo(1))
	close(gate)
	wg.Wait()

	g.Expect(srv.requests.Load()).To(BeEquivalentTo(1))
	for i := range callers {
		g.Expect(errs[i]).NotTo(HaveOccurred())
		g.Expect(dirs[i]).To(Equal(dirs[0]))
		releases[i]()
	}
}

func TestCanceledGetDoesNotAbortSharedDownload(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	body := tarball(t, file("a.yaml", "a"))
	url := srv.serve("/a.tar.gz", body)
	gate := make(chan struct{})
	srv.hold(gate)
	c, _ := newTestCache(t, Options{})

	ctx, cancel := context.WithCancel(context.Background())
	canceled := make(chan error)
	go func() {
		_, _, err := c.Get(ctx, url, sha256Of(body))
		canceled <- err
	}()
	g.Eventually(srv.requests.Load).Should(BeEquivalentTo(1))
	cancel()
	g.Expect(<-canceled).To(MatchError(context.Canceled))

	close(gate)
	dir, release, err := c.Get(context.Background(), url, sha256Of(body))
	g.Expect(err).NotTo(HaveOccurred())
	defer release()
	g.Expect(filepath.Join(dir, "a.yaml")).To(BeARegularFile())
	g.Expect(srv.requests.Load()).To(BeEquivalentTo(1), "the second Get joined the first download")
}

func TestEvictionKeepsUsedAndRecentTrees(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	c, _ := newTestCache(t, Options{Keep: 2})
	get := func(name string) (string, func()) {
		body := tarball(t, file("name", name))
		dir, release, err := c.Get(context.Background(), srv.serve("/"+name, body), sha256Of(body))
		g.Expect(err).NotTo(HaveOccurred())
		return dir, release
	}

	dirA, releaseA := get("a") // held throughout
	dirB, releaseB := get("b")
	releaseB()
	dirC, releaseC := get("c")
	releaseC()
	g.Expect(dirB).To(BeADirectory(), "two unused trees are kept")
	dirD, releaseD := get("d")
	releaseD()

	g.Expect(dirB).NotTo(BeADirectory(), "the least recently used unused tree goes")
	g.Expect(dirA).To(BeADirectory(), "a tree in use is never removed")
	g.Expect(dirC).To(BeADirectory())
	g.Expect(dirD).To(BeADirectory())

	releaseA()
	g.Expect(dirC).NotTo(BeADirectory(), "releasing a makes it the most recent, c is now the oldest")
	g.Expect(dirA).To(BeADirectory())

	releaseA() // a second release is harmless
	g.Expect(dirA).To(BeADirectory())
	_, releaseB = get("b")
	releaseB()
	g.Expect(srv.requests.Load()).To(BeEquivalentTo(5), "an evicted tree is downloaded again")
}

func TestFailedGetIsRetried(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	good := tarball(t, file("a.yaml", "a"))
	url := srv.serve("/a.tar.gz", tarball(t, file("a.yaml", "changed during download")))
	c, cacheDir := newTestCache(t, Options{})

	_, _, err := c.Get(context.Background(), url, sha256Of(good))
	g.Expect(err).To(MatchError(ErrDigestMismatch))
	g.Expect(names(t, cacheDir)).To(BeEmpty())

	srv.serve("/a.tar.gz", good)
	dir, release, err := c.Get(context.Background(), url, sha256Of(good))
	g.Expect(err).NotTo(HaveOccurred())
	defer release()
	g.Expect(filepath.Join(dir, "a.yaml")).To(BeARegularFile())
	g.Expect(srv.requests.Load()).To(BeEquivalentTo(2))
}

func TestUnsafeArchiveLeavesNothing(t *testing.T) {
	g := NewWithT(t)
	srv := newArtifactServer(t)
	body := tarball(t, file("a.yaml", "a"), file("../escape.yaml", "x"))
	c, cacheDir := newTestCache(t, Options{})

	_, _, err := c.Get(context.Background(), srv.serve("/a.tar.gz", body), sha256Of(body))
	g.Expect(err).To(MatchError(ErrUnsafeArchive))
	g.Expect(err.Error()).To(ContainSubstring(`"../escape.yaml"`))
	g.Expect(names(t, cacheDir)).To(BeEmpty(), "the partly unpacked tree is removed")
	g.Expect(filepath.Join(filepath.Dir(cacheDir), "escape.yaml")).NotTo(BeAnExistingFile())
}
