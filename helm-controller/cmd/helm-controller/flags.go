package main

import (
	"time"

	"github.com/spf13/pflag"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

// The feature gates of Flux's helm-controller, besides the two every
// controller has (see tidemanager.BindFlags).
var (
	gateAdditiveCELDependencyCheck = tidemanager.Gate{Name: "AdditiveCELDependencyCheck"}
	gateAllowDNSLookups            = tidemanager.Gate{Name: "AllowDNSLookups"}
	gateCancelHealthCheck          = tidemanager.Gate{Name: "CancelHealthCheckOnNewRevision"}
	gateDefaultToRetryOnFailure    = tidemanager.Gate{Name: "DefaultToRetryOnFailure"}
	gateDirectSourceFetch          = tidemanager.Gate{Name: "DirectSourceFetch"}
	gateDisableChartDigestTracking = tidemanager.Gate{Name: "DisableChartDigestTracking"}
	gateDisableConfigWatchers      = tidemanager.Gate{Name: "DisableConfigWatchers"}
	// On by default, as in Flux.
	gateUninstallOnChartNameChange = tidemanager.Gate{Name: "UninstallOnChartNameChange", Default: true}
	gateUseHelm3Defaults           = tidemanager.Gate{Name: "UseHelm3Defaults"}

	helmGateList = []tidemanager.Gate{
		gateAdditiveCELDependencyCheck,
		gateAllowDNSLookups,
		gateCancelHealthCheck,
		gateDefaultToRetryOnFailure,
		gateDirectSourceFetch,
		gateDisableChartDigestTracking,
		gateDisableConfigWatchers,
		gateUninstallOnChartNameChange,
		gateUseHelm3Defaults,
		{Name: "AdoptLegacyReleases",
			NoEffect: "releases of v2beta1 HelmReleases are not adopted (Flux ignores this gate too since v1.5)"},
		{Name: "DetectDrift",
			NoEffect: "drift detection is set per HelmRelease with spec.driftDetection.mode"},
		{Name: "CorrectDrift",
			NoEffect: "drift correction is set per HelmRelease with spec.driftDetection.mode"},
		{Name: "ExternalArtifact",
			NoEffect: "the ExternalArtifact source kind is not supported yet"},
		{Name: "OOMWatch",
			NoEffect: "the near-OOM watcher is not implemented"},
	}
)

// helmGates are the feature gates the reconciler honours, as booleans.
type helmGates struct {
	AdditiveCELDependencyCheck     bool
	AllowDNSLookups                bool
	CancelHealthCheckOnNewRevision bool
	DefaultToRetryOnFailure        bool
	DirectSourceFetch              bool
	DisableChartDigestTracking     bool
	DisableConfigWatchers          bool
	UninstallOnChartNameChange     bool
	UseHelm3Defaults               bool
}

// applyGates turns the feature gates into reconciler options.
func (opts *options) applyGates() {
	g := &opts.FeatureGates
	opts.gates = helmGates{
		AdditiveCELDependencyCheck:     g.Enabled(gateAdditiveCELDependencyCheck),
		AllowDNSLookups:                g.Enabled(gateAllowDNSLookups),
		CancelHealthCheckOnNewRevision: g.Enabled(gateCancelHealthCheck),
		DefaultToRetryOnFailure:        g.Enabled(gateDefaultToRetryOnFailure),
		DirectSourceFetch:              g.Enabled(gateDirectSourceFetch),
		DisableChartDigestTracking:     g.Enabled(gateDisableChartDigestTracking),
		DisableConfigWatchers:          g.Enabled(gateDisableConfigWatchers),
		UninstallOnChartNameChange:     g.Enabled(gateUninstallOnChartNameChange),
		UseHelm3Defaults:               g.Enabled(gateUseHelm3Defaults),
	}
	// valuesFrom ConfigMaps and Secrets labelled for
	// --watch-configs-label-selector are watched, as in Flux, unless the
	// gate turns the watchers off.
	opts.WatchConfigs = !opts.gates.DisableConfigWatchers
}

// bindFluxOnlyFlags declares the flags of Flux's helm-controller whose
// feature Tide does not have, so that a Flux Deployment's arguments start
// this controller; setting one is logged at start-up.
func bindFluxOnlyFlags(fs *pflag.FlagSet) {
	tidemanager.NoEffect(fs, "the near-OOM watcher is not implemented", func(fs *pflag.FlagSet) {
		fs.Uint8("oom-watch-memory-threshold", 95, "Memory use, in percent of the limit, at which the OOM watcher shuts the controller down.")
		fs.Duration("oom-watch-interval", 500*time.Millisecond, "How often the OOM watcher reads the memory use.")
		fs.String("oom-watch-max-memory-path", "", "The cgroup file holding the memory limit.")
		fs.String("oom-watch-current-memory-path", "", "The cgroup file holding the current memory use.")
	})
	tidemanager.NoWorkloadIdentity(fs, func(fs *pflag.FlagSet) {
		fs.String("default-kubeconfig-service-account", "", "Service account whose identity reaches remote clusters when a HelmRelease names none.")
	})
}
