package main

import (
	"github.com/spf13/pflag"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

// The feature gates of Flux's kustomize-controller, besides the two every
// controller has (see tidemanager.BindFlags).
var (
	gateAdditiveCELDependencyCheck = tidemanager.Gate{Name: "AdditiveCELDependencyCheck"}
	gateDirectSourceFetch          = tidemanager.Gate{Name: "DirectSourceFetch"}
	gateDisableConfigWatchers      = tidemanager.Gate{Name: "DisableConfigWatchers"}
	gateDisableCommitStatusEvent   = tidemanager.Gate{Name: "DisableCommitStatusEvent"}
	// On by default since Flux 2.9.
	gateStrictPostBuildSubstitutions = tidemanager.Gate{Name: "StrictPostBuildSubstitutions", Default: true}

	kustomizeGates = []tidemanager.Gate{
		gateAdditiveCELDependencyCheck,
		gateDirectSourceFetch,
		gateDisableConfigWatchers,
		gateDisableCommitStatusEvent,
		gateStrictPostBuildSubstitutions,
		{Name: "CancelHealthCheckOnNewRevision",
			NoEffect: "a newer source revision always interrupts a health check"},
		{Name: "DisableFailFastBehavior",
			NoEffect: "a health check always fails as soon as a rollout has failed"},
		{Name: "DisableStatusPollerCache", Default: true,
			NoEffect: "health checks always read objects from the API server, without a cache"},
		{Name: "ExternalArtifact",
			NoEffect: "the ExternalArtifact source kind is not supported yet"},
		{Name: "GroupChangeLog",
			NoEffect: "the changes of a reconciliation are always logged as one list"},
	}
)

// applyGates turns the feature gates into reconciler options.
func (opts *options) applyGates() {
	opts.reconcile.AdditiveCELDependencyCheck = opts.FeatureGates.Enabled(gateAdditiveCELDependencyCheck)
	opts.reconcile.DirectSourceFetch = opts.FeatureGates.Enabled(gateDirectSourceFetch)
	opts.reconcile.DisableConfigWatchers = opts.FeatureGates.Enabled(gateDisableConfigWatchers)
	opts.reconcile.DisableCommitStatusEvent = opts.FeatureGates.Enabled(gateDisableCommitStatusEvent)
	opts.reconcile.NotStrictSubstitutions = !opts.FeatureGates.Enabled(gateStrictPostBuildSubstitutions)
	opts.WatchConfigs = !opts.reconcile.DisableConfigWatchers
}

// bindFluxOnlyFlags declares the flags of Flux's kustomize-controller whose
// feature Tide does not have, so that a Flux Deployment's arguments start
// this controller; setting one is logged at start-up.
func bindFluxOnlyFlags(fs *pflag.FlagSet) {
	tidemanager.NoEffect(fs, "SOPS decryption is not supported yet", func(fs *pflag.FlagSet) {
		fs.String("sops-age-secret", "",
			"Secret in the runtime namespace holding a SOPS age key to fall back on.")
		fs.String("default-decryption-service-account", "", "Service account whose identity decrypts when a Kustomization names none.")
	})
	tidemanager.NoWorkloadIdentity(fs, func(fs *pflag.FlagSet) {
		fs.String("default-kubeconfig-service-account", "", "Service account whose identity reaches remote clusters when a Kustomization names none.")
	})
}
