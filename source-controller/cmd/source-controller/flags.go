package main

import (
	"os"

	"github.com/spf13/pflag"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
)

// sourceGates are the feature gates of Flux's source-controller, besides
// the two every controller has (see tidemanager.BindFlags).
var sourceGates = []tidemanager.Gate{
	{Name: "OptimizedGitClones", Default: true,
		NoEffect: "the remote head is always compared with the last fetched commit before cloning"},
}

// digestAlgorithm is the only --artifact-digest-algo Tide writes.
const digestAlgorithm = "sha256"

// bindFluxOnlyFlags declares the flags of Flux's source-controller whose
// feature Tide does not have, so that a Flux Deployment's arguments start
// this controller; setting one is logged at start-up.
func bindFluxOnlyFlags(fs *pflag.FlagSet) {
	tidemanager.NoWorkloadIdentity(fs, func(fs *pflag.FlagSet) {
		fs.String("default-service-account", "",
			"Service account whose identity reaches cloud providers when an object names none.")
	})
}

// envOr is the environment variable name, or def when it is empty: Flux's
// source-controller reads its storage settings from both.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
