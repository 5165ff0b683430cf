package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// reflectorArgs are the arguments of a Flux image-reflector-controller
// Deployment, with every flag of its main.go and of the fluxcd/pkg/runtime
// option groups it binds, each with a value a user may give it.
var reflectorArgs = []string{
	"--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
	"--watch-all-namespaces=true",
	"--log-level=info",
	"--log-encoding=json",
	"--enable-leader-election",
	"--metrics-addr=:8080",
	"--health-addr=:9440",
	"--storage-path=/data",
	"--storage-value-log-file-size=134217728",
	"--gc-interval=20",
	"--concurrent=6",
	"--kube-api-qps=50",
	"--kube-api-burst=300",
	"--leader-election-lease-duration=35s",
	"--leader-election-release-on-cancel=true",
	"--leader-election-renew-deadline=30s",
	"--leader-election-retry-period=5s",
	"--no-cross-namespace-refs=true",
	"--min-retry-delay=750ms",
	"--max-retry-delay=15m",
	"--feature-gates=CacheSecretsAndConfigMaps=false,ObjectLevelWorkloadIdentity=false",
	"--watch-label-selector=sharding.fluxcd.io/key notin (shard1, shard2)",
	"--token-cache-max-size=100",
	"--token-cache-max-duration=1h",
	"--default-service-account=registry-reader",
	"--kubeconfig=/tmp/kubeconfig",
}

// automationArgs are those of a Flux image-automation-controller
// Deployment beyond the flags the reflector's share.
var automationArgs = []string{
	"--ssh-kex-algos=curve25519-sha256,ecdh-sha2-nistp256",
	"--ssh-hostkey-algos=ssh-ed25519,rsa-sha2-512",
	"--feature-gates=GitAllBranchReferences=true,GitForcePushBranch=false,GitShallowClone=true,GitSparseCheckout=true",
}

func parseFlags(args ...string) (options, error) {
	return tidemanager.ParseFlags(controllerName, newOptions, (*options).bindFlags, args...)
}

// Both Flux Deployments' arguments start Tide's one controller (so either
// can be pointed at its binary): no unknown flag, and the flags Tide
// implements carry their values.
func TestFluxDeploymentArgs(t *testing.T) {
	for name, args := range map[string][]string{
		"image-reflector-controller":  reflectorArgs,
		"image-automation-controller": automationArgs,
		"both":                        append(slices.Clone(reflectorArgs), automationArgs...),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseFlags(args...); err != nil {
				t.Fatalf("Flux's arguments refused: %v", err)
			}
		})
	}
	opts, err := parseFlags(append(slices.Clone(reflectorArgs), automationArgs...)...)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Concurrent != 6 || opts.storagePath != "/data" || !opts.noCrossNamespaceRefs ||
		opts.Watch.LabelSelector != "sharding.fluxcd.io/key notin (shard1, shard2)" {
		t.Errorf("flags not applied: %+v", opts)
	}
	if !slices.Equal(opts.sshKexAlgos, []string{"curve25519-sha256", "ecdh-sha2-nistp256"}) ||
		!slices.Equal(opts.sshHostKeyAlgos, []string{"ssh-ed25519", "rsa-sha2-512"}) {
		t.Errorf("SSH algorithms = %q, %q", opts.sshKexAlgos, opts.sshHostKeyAlgos)
	}
}

// Each flag and gate of Flux's that changes nothing in Tide is logged once
// at start-up with the reason, not silently accepted.
func TestNoEffectFlagsLogged(t *testing.T) {
	opts, err := parseFlags(append(slices.Clone(reflectorArgs), automationArgs...)...)
	if err != nil {
		t.Fatal(err)
	}
	var log noticeLog
	opts.LogNoEffect(&log)
	for _, want := range []string{"--storage-value-log-file-size", "--gc-interval", "--default-service-account",
		"--token-cache-max-size", "GitAllBranchReferences", "GitForcePushBranch", "GitShallowClone", "GitSparseCheckout",
		"CacheSecretsAndConfigMaps", "ObjectLevelWorkloadIdentity"} {
		if strings.Count(string(log), want+" ") != 1 {
			t.Errorf("%s set but not logged once as without effect; logged:\n%s", want, log)
		}
	}
	for _, honoured := range []string{"--storage-path", "--concurrent", "--no-cross-namespace-refs", "--ssh-kex-algos", "--ssh-hostkey-algos"} {
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

// The tests above can fail: a flag neither Flux image controller has is
// refused, as is a gate neither knows.
func TestUnknownFlagsRefused(t *testing.T) {
	testkit.AssertFlagsRefused(t, parseFlags, "--feature-gates=OOMWatch=true", "--artifact-retention-ttl=1m", "--storage-addr=:9090")
}

// Flux's defaults, for the flags a Deployment usually leaves out.
func TestFluxDefaults(t *testing.T) {
	opts, err := parseFlags()
	if err != nil {
		t.Fatal(err)
	}
	if opts.Concurrent != 4 || opts.storagePath != "/data" || opts.noCrossNamespaceRefs || !opts.Watch.AllNamespaces ||
		len(opts.sshKexAlgos) != 0 || len(opts.sshHostKeyAlgos) != 0 || opts.Jitter.Percentage != 5 {
		t.Errorf("defaults differ from Flux's: %+v", opts)
	}
}

// A --storage-path the tag store cannot be made in stops the controller at
// start-up with a message naming the flag, instead of failing every scan.
func TestUnusableStoragePathRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := parseFlags("--storage-path=" + filepath.Join(file, "tags"))
	if err != nil {
		t.Fatal(err)
	}
	err = setupReconcilers(context.Background(), nil, nil, opts)
	if err == nil || !strings.Contains(err.Error(), "--storage-path") {
		t.Errorf("setupReconcilers = %v, want a refusal naming --storage-path", err)
	}
}

// A --storage-path folder that exists but cannot be written to is refused
// at start-up too.
func TestReadOnlyStoragePathRefused(t *testing.T) {
	readOnly := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// root writes to any mode: /proc/self is a folder no one can add
		// a file to.
		readOnly = "/proc/self"
	}
	opts, err := parseFlags("--storage-path=" + readOnly)
	if err != nil {
		t.Fatal(err)
	}
	err = setupReconcilers(context.Background(), nil, nil, opts)
	if err == nil || !strings.Contains(err.Error(), "--storage-path") {
		t.Errorf("setupReconcilers on a read-only folder = %v, want a refusal naming --storage-path", err)
	}
}
