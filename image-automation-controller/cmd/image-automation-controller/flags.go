package main

import (
	"github.com/spf13/pflag"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

// imageGates are the feature gates of Flux's image-automation-controller
// (its image-reflector-controller has only the two every controller has,
// see tidemanager.BindFlags). None changes what Tide does; each is
// accepted, as Flux's Deployments may set it, and logged at start-up.
var imageGates = []tidemanager.Gate{
	{Name: "GitAllBranchReferences", Default: true,
		NoEffect: "the ImageUpdateAutomation reconciler fetches the refs a run needs, the push branch's included"},
	{Name: "GitForcePushBranch", Default: true,
		NoEffect: "Tide never force-pushes: a push the branch moved under is fetched, re-applied and pushed again"},
	{Name: "GitShallowClone", Default: true,
		NoEffect: "the ImageUpdateAutomation reconciler chooses the depth of its checkout itself"},
	{Name: "GitSparseCheckout",
		NoEffect: "the checkout is never sparse; only spec.update.path is rewritten"},
}

// bindFluxOnlyFlags declares the flags of Flux's image controllers whose
// feature Tide does not have, so that the arguments of Flux's Deployments
// start this controller; setting one is logged at start-up.
func bindFluxOnlyFlags(fs *pflag.FlagSet) {
	tidemanager.NoEffect(fs, "Tide's tag store is one file of tags per ImageRepository, not a Badger database", func(fs *pflag.FlagSet) {
		fs.Int64("storage-value-log-file-size", 1<<28, "The size in bytes of the Badger database's memory-mapped value log file.")
		fs.Uint16("gc-interval", 10, "Minutes between garbage collections of the Badger database; 0 turns them off.")
	})
	tidemanager.NoWorkloadIdentity(fs, func(fs *pflag.FlagSet) {
		fs.String("default-service-account", "",
			"Service account whose identity reaches registries and Git hosts when an object names none.")
	})
}
