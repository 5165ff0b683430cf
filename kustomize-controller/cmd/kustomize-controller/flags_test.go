package main

import (
	"maps"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	tidemanager "github.com/tidegitops/tide/skeleton/manager"
	"github.com/tidegitops/tide/testkit"
)

// fluxArgs are the arguments of Flux's kustomize-controller Deployment
// (v2.8), with every flag of its main.go and of the fluxcd/pkg/runtime
// option groups it binds, each with a value a user may give it.
var fluxArgs = []string{
	"--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
	"--watch-all-namespaces=true",
	"--log-level=info",
	"--log-encoding=json",
	"--enable-leader-election",
	"--metrics-addr=:8080",
	"--health-addr=:9440",
	"--concurrent=10",
	"--concurrent-ssa=6",
	"--requeue-dependency=5s",
	"--no-remote-bases=true",
	"--http-retry=4",
	"--default-service-account=default",
	"--default-decryption-service-account=sops",
	"--default-kubeconfig-service-account=remote",
	"--sops-age-secret=sops-age",
	"--override-manager=flux-client-side-apply",
	"--override-manager=kubectl-edit",
	"--custom-apply-stage-kinds=rbac.authorization.k8s.io/Role",
	"--kube-api-qps=50",
	"--kube-api-burst=300",
	"--leader-election-lease-duration=35s",
	"--leader-election-release-on-cancel=true",
	"--leader-election-renew-deadline=30s",
	"--leader-election-retry-period=5s",
	"--no-cross-namespace-refs=true",
	"--insecure-kubeconfig-exec=false",
	"--insecure-kubeconfig-tls=false",
	"--min-retry-delay=750ms",
	"--max-retry-delay=15m",
	"--feature-gates=AdditiveCELDependencyCheck=true,CacheSecretsAndConfigMaps=false,CancelHealthCheckOnNewRevision=true," +
		"DirectSourceFetch=true,DisableCommitStatusEvent=true,DisableConfigWatchers=false,DisableFailFastBehavior=false,DisableStatusPollerCache=true," +
		"ExternalArtifact=false,GroupChangeLog=false,ObjectLevelWorkloadIdentity=false,StrictPostBuildSubstitutions=true",
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
	if opts.Concurrent != 10 || opts.reconcile.ConcurrentSSA != 6 || !opts.reconcile.NoRemoteBases || !opts.reconcile.NoCrossNamespaceRefs ||
		opts.reconcile.DefaultServiceAccount != "default" || opts.RequeueDependency.Seconds() != 5 {
		t.Errorf("flags not applied: concurrent=%d concurrent-ssa=%d noRemoteBases=%t noCrossNamespaceRefs=%t defaultServiceAccount=%q requeueDependency=%s",
			opts.Concurrent, opts.reconcile.ConcurrentSSA, opts.reconcile.NoRemoteBases, opts.reconcile.NoCrossNamespaceRefs,
			opts.reconcile.DefaultServiceAccount, opts.RequeueDependency)
	}
	if !opts.reconcile.AdditiveCELDependencyCheck || !opts.reconcile.DirectSourceFetch || opts.reconcile.DisableConfigWatchers ||
		!opts.reconcile.DisableCommitStatusEvent ||
		!opts.WatchConfigs {
		t.Errorf("feature gates not applied: %+v", opts.reconcile)
	}
	if opts.httpRetry != 4 {
		t.Errorf("http-retry = %d", opts.httpRetry)
	}
	// Repeatable, and not split at commas: Flux declares it a string array.
	if got := strings.Join(opts.reconcile.OverrideManagers, "|"); got != "flux-client-side-apply|kubectl-edit" {
		t.Errorf("override-manager = %q", got)
	}
	if opts.Watch.ConfigsLabelSelector != "reconcile.fluxcd.io/watch=Enabled" || opts.Jitter.Percentage != 10 {
		t.Errorf("watch-configs-label-selector=%q interval-jitter-percentage=%d", opts.Watch.ConfigsLabelSelector, opts.Jitter.Percentage)
	}
}

// The test above can fail: a flag Flux does not have is refused, as is a
// gate Flux's kustomize-controller does not know.
func TestUnknownFlagsRefused(t *testing.T) {
	testkit.AssertFlagsRefused(t, parseFlags, "--feature-gates=OptimizedGitClones=true")
}

// Flux's defaults, for the flags a Deployment usually leaves out.
func TestFluxDefaults(t *testing.T) {
	opts, err := parseFlags()
	if err != nil {
		t.Fatal(err)
	}
	opts.applyGates()
	if opts.httpRetry != 9 {
		t.Errorf("http-retry = %d, Flux's default is 9", opts.httpRetry)
	}
	if opts.Concurrent != 4 || opts.reconcile.ConcurrentSSA != 4 || opts.Watch.ConfigsLabelSelector != "reconcile.fluxcd.io/watch=Enabled" ||
		!opts.Watch.AllNamespaces || opts.Jitter.Percentage != 5 || opts.reconcile.DisableConfigWatchers {
		t.Errorf("defaults differ from Flux's: concurrent=%d concurrent-ssa=%d watch-configs-label-selector=%q watch-all-namespaces=%t jitter=%d",
			opts.Concurrent, opts.reconcile.ConcurrentSSA, opts.Watch.ConfigsLabelSelector, opts.Watch.AllNamespaces, opts.Jitter.Percentage)
	}
}

// StrictPostBuildSubstitutions is on by default, as in Flux 2.9, and can be
// turned off.
func TestStrictPostBuildSubstitutionsGate(t *testing.T) {
	for args, wantNotStrict := range map[string]bool{
		"": false,
		"--feature-gates=StrictPostBuildSubstitutions=true":  false,
		"--feature-gates=StrictPostBuildSubstitutions=false": true,
	} {
		var argv []string
		if args != "" {
			argv = append(argv, args)
		}
		opts, err := parseFlags(argv...)
		if err != nil {
			t.Fatal(err)
		}
		opts.applyGates()
		if opts.reconcile.NotStrictSubstitutions != wantNotStrict {
			t.Errorf("%q: NotStrictSubstitutions=%t", args, opts.reconcile.NotStrictSubstitutions)
		}
	}
}

// --custom-apply-stage-kinds takes group/Kind entries, the core group
// without a group; a mistyped entry is refused.
func TestCustomApplyStageKinds(t *testing.T) {
	opts, err := parseFlags(fluxArgs...)
	if err != nil {
		t.Fatal(err)
	}
	if opts.stageKinds != "rbac.authorization.k8s.io/Role" {
		t.Errorf("custom-apply-stage-kinds = %q", opts.stageKinds)
	}
	got, err := parseStageKinds(" rbac.authorization.k8s.io/Role, ConfigMap,/Secret,example.com/Widget,")
	if err != nil {
		t.Fatal(err)
	}
	want := map[schema.GroupKind]bool{
		{Group: "rbac.authorization.k8s.io", Kind: "Role"}: true, {Kind: "ConfigMap"}: true,
		{Kind: "Secret"}: true, {Group: "example.com", Kind: "Widget"}: true,
	}
	if !maps.Equal(got, want) {
		t.Errorf("parsed %v, want %v", got, want)
	}
	if got, err := parseStageKinds(""); err != nil || got != nil {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, bad := range []string{"rbac.authorization.k8s.io/", "Role.rbac.authorization.k8s.io", "a/b/c"} {
		if _, err := parseStageKinds(bad); err == nil || !strings.Contains(err.Error(), "group/Kind") {
			t.Errorf("%q: err = %v, want a refusal naming the format", bad, err)
		}
	}
}
