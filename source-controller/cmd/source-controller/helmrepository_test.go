package main

import (
	"testing"
	"time"
)

// The Helm index flags are real flags now: Flux's values reach them, and
// their defaults are Flux's.
func TestHelmIndexFlags(t *testing.T) {
	opts, err := parseFlags(fluxArgs...)
	if err != nil {
		t.Fatal(err)
	}
	want := helmIndexFlags{indexMaxSize: 52428800, cacheMaxSize: 10, cacheTTL: time.Hour, purgeInterval: 5 * time.Minute}
	if opts.helmIndex != want {
		t.Errorf("Flux's arguments give %+v, want %+v", opts.helmIndex, want)
	}
	if opts, err = parseFlags(); err != nil {
		t.Fatal(err)
	}
	want = helmIndexFlags{indexMaxSize: 50 << 20, cacheMaxSize: 0, cacheTTL: 15 * time.Minute, purgeInterval: time.Minute}
	if opts.helmIndex != want {
		t.Errorf("defaults %+v, want Flux's %+v", opts.helmIndex, want)
	}
}
