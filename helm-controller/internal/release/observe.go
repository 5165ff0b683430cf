package release

import (
	"time"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"
)

// Observation is what the controller records of one stored release.
type Observation struct {
	Name, Namespace string
	Version         int
	Status          string
	ChartName       string
	ChartVersion    string
	AppVersion      string
	// ConfigDigest is ValuesDigest of the release's values.
	ConfigDigest string
	// Digest identifies the stored release (without its test runs), so
	// that a record changed behind the controller's back is noticed.
	Digest                               string
	FirstDeployed, LastDeployed, Deleted time.Time
	// TestHooks are the test hooks by name, with their last run; nil when
	// the release has none.
	TestHooks map[string]HookRun
}

// HookRun is the last run of a hook.
type HookRun struct {
	Started, Completed time.Time
	Phase              string
}

// digested is the part of a release its digest covers.
type digested struct {
	Name      string           `json:"name"`
	Version   int              `json:"version"`
	Info      releasev1.Info   `json:"info"`
	Chart     chart.Metadata   `json:"chartMetadata"`
	Config    map[string]any   `json:"config"`
	Manifest  string           `json:"manifest"`
	Hooks     []releasev1.Hook `json:"hooks"`
	Namespace string           `json:"namespace"`
}

// Observe returns what the controller records of rel.
func Observe(rel *releasev1.Release) Observation {
	o := Observation{
		Name: rel.Name, Namespace: rel.Namespace, Version: rel.Version,
		ConfigDigest: ValuesDigest(rel.Config),
	}
	d := digested{Name: rel.Name, Version: rel.Version, Config: rel.Config, Manifest: rel.Manifest, Namespace: rel.Namespace}
	if rel.Info != nil {
		o.Status = rel.Info.Status.String()
		o.FirstDeployed, o.LastDeployed, o.Deleted = rel.Info.FirstDeployed, rel.Info.LastDeployed, rel.Info.Deleted
		d.Info = *rel.Info
		d.Info.Resources = nil
	}
	if rel.Chart != nil && rel.Chart.Metadata != nil {
		o.ChartName, o.ChartVersion, o.AppVersion = rel.Chart.Metadata.Name, rel.Chart.Metadata.Version, rel.Chart.Metadata.AppVersion
		d.Chart = *rel.Chart.Metadata
	}
	for _, h := range rel.Hooks {
		if h == nil {
			continue
		}
		if isTest(h) {
			if o.TestHooks == nil {
				o.TestHooks = map[string]HookRun{}
			}
			o.TestHooks[h.Name] = HookRun{Started: h.LastRun.StartedAt, Completed: h.LastRun.CompletedAt, Phase: h.LastRun.Phase.String()}
			continue
		}
		d.Hooks = append(d.Hooks, *h)
	}
	o.Digest = digestJSON(d)
	return o
}

func isTest(h *releasev1.Hook) bool {
	for _, e := range h.Events {
		if e == releasev1.HookTest {
			return true
		}
	}
	return false
}
