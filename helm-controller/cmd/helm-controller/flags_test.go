package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// fluxArgs are the arguments of a Flux helm-controller Deployment (Flux
// 2.8), with every flag of its main.go and of the fluxcd/pkg/runtime option
// groups it binds, each with a value a user may give it.
var fluxArgs = []string{
	"--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
	"--watch-all-namespaces=true",
	"--log-level=info",
	"--log-encoding=json",
	"--enable-leader-election",
	"--metrics-addr=:8080",
	"--health-addr=:9440",
	"--concurrent=10",
	"--requeue-dependency=5s",
	"--graceful-shutdown-timeout=300s",
	"--http-retry=4",
	"--http-timeout=1m",
	"--default-service-account=default",
	"--default-kubeconfig-service-account=remote",
	"--no-cross-namespace-refs=true",
	"--insecure-kubeconfig-exec=true",
	"--insecure-kubeconfig-tls=true",
	"--oom-watch-memory-threshold=90",
	"--oom-watch-interval=1s",
	"--oom-watch-max-memory-path=/sys/fs/cgroup/memory.max",
	"--oom-watch-current-memory-path=/sys/fs/cgroup/memory.current",
	"--snapshot-digest-algo=sha256",
	"--kube-api-qps=50",
	"--kube-api-burst=300",
	"--leader-election-lease-duration=35s",
	"--leader-election-release-on-cancel=true",
	"--leader-election-renew-deadline=30s",
	"--leader-election-retry-period=5s",
	"--min-retry-delay=750ms",
	"--max-retry-delay=15m",
	"--feature-gates=AdditiveCELDependencyCheck=true,AdoptLegacyReleases=false,AllowDNSLookups=true," +
		"CacheSecretsAndConfigMaps=false,CancelHealthCheckOnNewRevision=true,CorrectDrift=false,DefaultToRetryOnFailure=true," +
		"DetectDrift=false,DirectSourceFetch=true,DisableChartDigestTracking=true,DisableConfigWatchers=true," +
		"ExternalArtifact=false,OOMWatch=false,ObjectLevelWorkloadIdentity=false,UninstallOnChartNameChange=false,UseHelm3Defaults=true",
	"--watch-label-selector=sharding.fluxcd.io/key notin (shard1, shard2)",
	"--watch-configs-label-selector=reconcile.fluxcd.io/watch=Enabled",
	"--interval-jitter-percentage=10",
	"--token-cache-max-size=100",
	"--token-cache-max-duration=1h",
	"--kubeconfig=/tmp/kubeconfig",
}

func parseFlags(args ...string) (options, error) {
	return tidemanager.ParseFlags(controllerName, newOptions, (*options).bindFlags, args...)
}

// A Flux Deployment's arguments start Tide's controller: no unknown flag,
// and the flags Tide implements carry their values.
func TestFluxDeploymentArgs(t *testing.T) {
	opts, err := parseFlags(fluxArgs...)
	if err != nil {
		t.Fatalf("Flux's arguments refused: %v", err)
	}
	opts.applyGates()
	if opts.Concurrent != 10 || opts.RequeueDependency != 5*time.Second || opts.GracefulShutdownTimeout != 300*time.Second ||
		opts.httpTimeout != time.Minute || !opts.noCrossNamespaceRefs {
		t.Errorf("flags not applied: %+v", opts)
	}
	if want := (helmGates{AdditiveCELDependencyCheck: true, DefaultToRetryOnFailure: true}); opts.gates != want {
		t.Errorf("gates = %+v, want %+v", opts.gates, want)
	}
	if opts.WatchConfigs {
		t.Error("DisableConfigWatchers=true left the valuesFrom watchers on")
	}
}

// Each flag and gate of Flux's that changes nothing in Tide is logged once
// at start-up with the reason, not silently accepted.
func TestNoEffectFlagsLogged(t *testing.T) {
	opts, err := parseFlags(fluxArgs...)
	if err != nil {
		t.Fatal(err)
	}
	var log noticeLog
	opts.LogNoEffect(&log)
	for _, want := range []string{
		"--http-retry", "--oom-watch-memory-threshold", "--default-kubeconfig-service-account",
		"AllowDNSLookups", "CancelHealthCheckOnNewRevision", "DirectSourceFetch", "DisableChartDigestTracking",
		"UninstallOnChartNameChange", "UseHelm3Defaults"} {
		if !strings.Contains(string(log), want+" ") {
			t.Errorf("%s set but not logged as without effect; logged:\n%s", want, log)
		}
	}
	for _, honoured := range []string{"--default-service-account", "--insecure-kubeconfig-exec", "--insecure-kubeconfig-tls", "--concurrent", "--http-timeout", "--no-cross-namespace-refs", "DefaultToRetryOnFailure", "AdditiveCELDependencyCheck", "DisableConfigWatchers"} {
		if strings.Contains(string(log), honoured+" ") {
			t.Errorf("%s logged as without effect", honoured)
		}
	}
}

// noticeLog keeps the start-up notices, one line each: message, then the
// flag or gate named.
type noticeLog string

func (l *noticeLog) Info(msg string, kv ...any) {
	*l += noticeLog(msg)
	for _, v := range kv {
		*l += noticeLog(" " + fmt.Sprint(v))
	}
	*l += " \n"
}

// The test above can fail: a flag Flux does not have is refused, as is a
// gate Flux's helm-controller does not know.
func TestUnknownFlagsRefused(t *testing.T) {
	testkit.AssertFlagsRefused(t, parseFlags, "--feature-gates=StrictPostBuildSubstitutions=true", "--concurrent-ssa=4")
}

// Flux's defaults, for the flags a Deployment usually leaves out.
func TestFluxDefaults(t *testing.T) {
	opts, err := parseFlags()
	if err != nil {
		t.Fatal(err)
	}
	opts.applyGates()
	if opts.Concurrent != 4 || opts.GracefulShutdownTimeout != 600*time.Second ||
		opts.httpTimeout != 30*time.Second || opts.snapshotDigestAlgo != "sha256" || !opts.Watch.AllNamespaces ||
		opts.Watch.ConfigsLabelSelector != "reconcile.fluxcd.io/watch=Enabled" || opts.Jitter.Percentage != 5 {
		t.Errorf("defaults differ from Flux's: %+v", opts)
	}
	if opts.gates != (helmGates{}) {
		t.Errorf("gates = %+v, want all off", opts.gates)
	}
	if !opts.WatchConfigs {
		t.Error("valuesFrom ConfigMaps and Secrets are not watched by default")
	}
}

// A digest algorithm other than sha256 is refused at start-up with a
// message naming the flag, not accepted and ignored.
func TestSnapshotDigestAlgoRefused(t *testing.T) {
	opts, err := parseFlags("--snapshot-digest-algo=sha512", "--kubeconfig=/nonexistent")
	if err != nil {
		t.Fatal(err)
	}
	err = run(opts)
	if err == nil || !strings.Contains(err.Error(), "--snapshot-digest-algo") {
		t.Errorf("run = %v, want a refusal naming --snapshot-digest-algo", err)
	}
}
