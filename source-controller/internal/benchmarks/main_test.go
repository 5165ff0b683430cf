package benchmarks

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

var artifactChild = flag.String("artifact-child", "", "run the Tide artifact path once for this URL and exit (used to measure its memory alone)")

func TestMain(m *testing.M) {
	flag.Parse()
	if *artifactChild != "" {
		tmp, err := os.MkdirTemp("", "artifact-child-")
		if err == nil {
			err = tideArtifact(*artifactChild, tmp)
			os.RemoveAll(tmp)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
