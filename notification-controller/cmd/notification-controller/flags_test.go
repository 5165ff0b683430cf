package main

import (
	"testing"
	"time"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// fluxArgs are the arguments a Flux notification-controller Deployment may
// give: every flag of its main.go and of the fluxcd/pkg/runtime option
// groups it binds.
var fluxArgs = []string{
	"--watch-all-namespaces=true",
	"--log-level=info",
	"--log-encoding=json",
	"--enable-leader-election",
	"--metrics-addr=:8080",
	"--health-addr=:9440",
	"--events-addr=:9090",
	"--receiverAddr=:9292",
	"--concurrent=4",
	"--rate-limit-interval=2m",
	"--no-cross-namespace-refs=true",
	"--export-http-path-metrics=false",
	"--kube-api-qps=50",
	"--kube-api-burst=300",
	"--leader-election-lease-duration=35s",
	"--leader-election-release-on-cancel=true",
	"--leader-election-renew-deadline=30s",
	"--leader-election-retry-period=5s",
	"--min-retry-delay=750ms",
	"--max-retry-delay=15m",
	"--feature-gates=CacheSecretsAndConfigMaps=false,ObjectLevelWorkloadIdentity=false",
	"--watch-label-selector=sharding.fluxcd.io/key notin (shard1)",
	"--token-cache-max-size=100",
	"--token-cache-max-duration=1h",
	"--kubeconfig=/tmp/kubeconfig",
}

func parseFlags(args ...string) (options, error) {
	return tidemanager.ParseFlags(controllerName, newOptions, (*options).bindFlags, args...)
}

func TestFluxFlagsAccepted(t *testing.T) {
	opts, err := parseFlags(fluxArgs...)
	if err != nil {
		t.Fatal(err)
	}
	if opts.rateLimitInterval != 2*time.Minute || !opts.noCrossNamespaceRefs || opts.receiverAddr != ":9292" {
		t.Errorf("options = %+v", opts)
	}
}

func TestFlagDefaultsAreFlux(t *testing.T) {
	opts, err := parseFlags()
	if err != nil {
		t.Fatal(err)
	}
	if opts.EventsAddr != ":9090" || opts.receiverAddr != ":9292" || opts.rateLimitInterval != 5*time.Minute ||
		opts.Concurrent != 4 || opts.noCrossNamespaceRefs {
		t.Errorf("defaults = events %q receiver %q rate %s concurrent %d", opts.EventsAddr, opts.receiverAddr, opts.rateLimitInterval, opts.Concurrent)
	}
}

func TestBadFlagsRefused(t *testing.T) {
	testkit.AssertFlagsRefused(t, parseFlags, "--rate-limit-interval=soon")
	testkit.AssertFlagsRefused(t, parseFlags, "--not-a-flux-flag")
}
