package helmchart

import (
	"os"
	"path/filepath"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
	"github.com/tidegitops/tide/source-controller/internal/chartbuild"
)

// scope carries what one reconciliation observed from step to step.
type scope struct {
	obj *sourcev1.HelmChart

	// gitSource is set for a GitRepository source, helmRepo for a
	// HelmRepository; sourceArtifact is the source's artifact (none for a
	// HelmRepository of type oci).
	gitSource      *sourcev1.GitRepository
	helmRepo       *sourcev1.HelmRepository
	sourceArtifact *meta.Artifact
	// lastSourceRevision is status.observedSourceArtifactRevision as this
	// run found it.
	lastSourceRevision string

	// What the build resolved: the chart's name and version (with
	// metadata), whether the stored artifact already holds it, and the
	// packaged file to store otherwise.
	name, version string
	upToDate      bool
	packaged      bool
	valuesFiles   []string
	dependencies  int
	// chartFile is the packaged chart on disk, or chartData the pulled
	// one in memory, to store.
	chartFile string
	chartData []byte

	workDir string
}

// success is Ready=True as Flux words it: the build's summary.
func (s *scope) success() skeleton.Success {
	reason := sourcev1.ChartPullSucceededReason
	if s.packaged {
		reason = sourcev1.ChartPackageSucceededReason
	}
	return skeleton.Success{
		Reason:  reason,
		Message: chartbuild.Summary(s.packaged, s.name, s.version, s.obj.Status.ObservedValuesFiles),
	}
}

// reuseStored marks the stored artifact as the build's result: what it was
// built from is what status says.
func (s *scope) reuseStored() {
	s.upToDate = true
	s.valuesFiles = s.obj.Status.ObservedValuesFiles
	s.packaged = conditions.GetReason(s.obj, sourcev1.ArtifactInStorageCondition) != sourcev1.ChartPullSucceededReason
}

// workFolders returns two temporary folders for this reconciliation, for
// the unpacked source and for the packaged chart; cleanup removes them.
func (s *scope) workFolders() (src, out string, err error) {
	if s.workDir == "" {
		dir, err := os.MkdirTemp("", "helmchart-")
		if err != nil {
			return "", "", err
		}
		s.workDir = dir
	}
	src, out = filepath.Join(s.workDir, "src"), filepath.Join(s.workDir, "out")
	for _, d := range []string{src, out} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", "", err
		}
	}
	return src, out, nil
}

func (s *scope) cleanup() {
	if s.workDir != "" {
		_ = os.RemoveAll(s.workDir)
	}
}
