package main

import (
	"strings"
	"testing"
	"time"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// fluxArgs are the arguments of Flux's source-controller Deployment (v2.8),
// with every flag of its main.go and of the fluxcd/pkg option groups it
// binds (runtime, artifact storage, token cache), each with a value a user
// may give it.
var fluxArgs = []string{
	"--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
	"--watch-all-namespaces=true",
	"--log-level=info",
	"--log-encoding=json",
	"--enable-leader-election",
	"--storage-path=/data",
	"--storage-addr=:9090",
	"--storage-adv-addr=source-controller.flux-system.svc.cluster.local.",
	"--artifact-retention-ttl=5m",
	"--artifact-retention-records=3",
	"--artifact-digest-algo=sha256",
	"--metrics-addr=:8080",
	"--health-addr=:9440",
	"--concurrent=5",
	"--requeue-dependency=5s",
	"--helm-index-max-size=52428800",
	"--helm-chart-max-size=10485760",
	"--helm-chart-file-max-size=5242880",
	"--helm-cache-max-size=10",
	"--helm-cache-ttl=60m",
	"--helm-cache-purge-interval=5m",
	"--ssh-kex-algos=curve25519-sha256,ecdh-sha2-nistp256",
	"--ssh-hostkey-algos=ssh-ed25519,rsa-sha2-512",
	"--default-service-account=default",
	"--kube-api-qps=50",
	"--kube-api-burst=300",
	"--leader-election-lease-duration=35s",
	"--leader-election-release-on-cancel=true",
	"--leader-election-renew-deadline=30s",
	"--leader-election-retry-period=5s",
	"--min-retry-delay=750ms",
	"--max-retry-delay=15m",
	"--feature-gates=CacheSecretsAndConfigMaps=false,ObjectLevelWorkloadIdentity=false,OptimizedGitClones=true",
	"--watch-label-selector=sharding.fluxcd.io/key notin (shard1)",
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
	if opts.Concurrent != 5 || opts.storageAdvAddr != "source-controller.flux-system.svc.cluster.local." ||
		opts.retentionTTL != 5*time.Minute || opts.retentionRecords != 3 || opts.RequeueDependency != 5*time.Second ||
		strings.Join(opts.ssh.KeyExchanges, ",") != "curve25519-sha256,ecdh-sha2-nistp256" ||
		strings.Join(opts.ssh.HostKeys, ",") != "ssh-ed25519,rsa-sha2-512" {
		t.Errorf("flags not applied: concurrent=%d storage-adv-addr=%q retention=%s/%d requeue-dependency=%s ssh=%v",
			opts.Concurrent, opts.storageAdvAddr, opts.retentionTTL, opts.retentionRecords, opts.RequeueDependency, opts.ssh)
	}
}

// The test above can fail: a flag Flux does not have is refused, as is a
// gate Flux's source-controller does not know.
func TestUnknownFlagsRefused(t *testing.T) {
	testkit.AssertFlagsRefused(t, parseFlags, "--feature-gates=DirectSourceFetch=true")
}

// Flux's defaults, and its environment variables for the storage flags.
func TestFluxDefaults(t *testing.T) {
	t.Setenv("STORAGE_PATH", "/var/artifacts")
	t.Setenv("STORAGE_ADDRESS", ":7070")
	t.Setenv("STORAGE_ADV_ADDR", "")
	opts, err := parseFlags()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Concurrent != 2 || opts.storagePath != "/var/artifacts" || opts.storageAddr != ":7070" ||
		opts.retentionTTL != time.Minute || opts.retentionRecords != 2 || opts.digestAlgorithm != "sha256" {
		t.Errorf("defaults differ from Flux's: concurrent=%d storage-path=%q storage-addr=%q retention=%s/%d digest=%s",
			opts.Concurrent, opts.storagePath, opts.storageAddr, opts.retentionTTL, opts.retentionRecords, opts.digestAlgorithm)
	}
}
