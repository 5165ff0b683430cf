package main

import (
	"time"

	"github.com/spf13/pflag"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

// The feature gates of Flux's helm-controller, besides the two every
// controller has (see tidemanager.BindFlags). Only those the reconciler
// reads are honoured; the others are accepted, as Flux's Deployments may set
// them, and logged at start-up as having no effect.
var (
	gateAdditiveCELDependencyCheck = tidemanager.Gate{Name: "AdditiveCELDependencyCheck"}
	gateDefaultToRetryOnFailure    = tidemanager.Gate{Name: "DefaultToRetryOnFailure"}
	gateDisableConfigWatchers      = tidemanager.Gate{Name: "DisableConfigWatchers"}

	helmGateList = []tidemanager.Gate{
		gateAdditiveCELDependencyCheck,
		gateDefaultToRetryOnFailure,
		gateDisableConfigWatchers,
		{Name: "AllowDNSLookups",
			NoEffect: "chart templates never resolve DNS names (getHostByName returns nothing), as with the gate off"},
		{Name: "AdoptLegacyReleases",
			NoEffect: "releases of v2beta1 HelmReleases are not adopted (Flux ignores this gate too since v1.5)"},
		{Name: "CancelHealthCheckOnNewRevision",
			NoEffect: "a health check in progress always runs to its timeout"},
		{Name: "CorrectDrift",
			NoEffect: "drift handling is set per HelmRelease with spec.driftDetection.mode"},
		{Name: "DetectDrift",
			NoEffect: "drift handling is set per HelmRelease with spec.driftDetection.mode"},
		{Name: "DirectSourceFetch",
			NoEffect: "chart sources are always read from the controller's cache"},
		{Name: "DisableChartDigestTracking",
			NoEffect: "the digest of an OCI chart is always tracked in its version"},
		{Name: "ExternalArtifact",
			NoEffect: "the ExternalArtifact source kind is not supported yet"},
		{Name: "OOMWatch",
			NoEffect: "the near-OOM watcher is not implemented"},
		{Name: "UninstallOnChartNameChange", Default: true,
			NoEffect: "a new chart name is handled as spec.upgrade.chartNameChangeStrategy says"},
		{Name: "UseHelm3Defaults",
			NoEffect: "Helm 4's defaults always apply"},
	}
)

// helmGates are the feature gates the reconciler honours, as booleans.
type helmGates struct {
	AdditiveCELDependencyCheck bool
	DefaultToRetryOnFailure    bool
}

// applyGates turns the feature gates into reconciler options.
func (opts *options) applyGates() {
	opts.gates = helmGates{
		AdditiveCELDependencyCheck: opts.FeatureGates.Enabled(gateAdditiveCELDependencyCheck),
		DefaultToRetryOnFailure:    opts.FeatureGates.Enabled(gateDefaultToRetryOnFailure),
	}
	// ConfigMaps and Secrets of valuesFrom labelled for
	// --watch-configs-label-selector are watched, as in Flux, unless the
	// gate turns the watchers off.
	opts.WatchConfigs = !opts.FeatureGates.Enabled(gateDisableConfigWatchers)
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
	tidemanager.NoEffect(fs, "a failed chart download is tried again at the next reconciliation, with backoff", func(fs *pflag.FlagSet) {
		fs.Int("http-retry", 9, "How many times a failed chart download is tried again at once.")
	})
}
