package manager

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/tidegitops/tide/skeleton"
)

// infoLines records what LogNoEffect logs, one line per call.
type infoLines []string

func (l *infoLines) Info(msg string, kv ...any) {
	*l = append(*l, strings.TrimSuffix(fmt.Sprintln(append([]any{msg}, kv...)...), "\n"))
}

// parse binds the shared flags (plus a controller's no-effect group and
// gate, as a main adds them) on a new flag set and parses args.
func parse(t *testing.T, args ...string) (Options, error) {
	t.Helper()
	o := Options{Name: "test-controller"}
	o.FeatureGates.Add(Gate{Name: "Honoured"}, Gate{Name: "Ignored", NoEffect: "nothing to switch"})
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	o.BindFlags(fs)
	NoEffect(fs, "no such feature", func(fs *pflag.FlagSet) {
		fs.String("sops-age-secret", "", "A flag of a feature Tide lacks.")
		fs.StringArray("override-manager", nil, "Another.")
	})
	return o, fs.Parse(args)
}

// A flag of a feature Tide lacks is accepted; each one set is logged once,
// with why it has no effect, and those left unset are not logged at all.
func TestNoEffectFlagsAreLoggedOnce(t *testing.T) {
	o, err := parse(t, "--sops-age-secret=age", "--override-manager=a", "--override-manager=b",
		"--token-cache-max-size=10", "--feature-gates=Ignored=true,Honoured=true,ObjectLevelWorkloadIdentity=false")
	if err != nil {
		t.Fatal(err)
	}
	var lines infoLines
	o.LogNoEffect(&lines)
	want := []string{
		"flag has no effect in Tide: no such feature flag --override-manager",
		"flag has no effect in Tide: no such feature flag --sops-age-secret",
		"flag has no effect in Tide: Tide caches no cloud-provider tokens: workload identity is not supported yet flag --token-cache-max-size",
		"feature gate has no effect in Tide: nothing to switch gate Ignored",
		"feature gate has no effect in Tide: workload identity is not supported yet gate ObjectLevelWorkloadIdentity",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !o.FeatureGates.Enabled(Gate{Name: "Honoured"}) {
		t.Error("gate Honoured was set to true but is not enabled")
	}
}

func TestNothingLoggedWithoutNoEffectFlags(t *testing.T) {
	o, err := parse(t, "--concurrent=3", "--feature-gates=Honoured=true")
	if err != nil {
		t.Fatal(err)
	}
	var lines infoLines
	o.LogNoEffect(&lines)
	if len(lines) != 0 {
		t.Errorf("logged %q, want nothing", lines)
	}
}

func TestFeatureGates(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		want    map[string]bool
	}{
		{name: "defaults", want: map[string]bool{"Honoured": false, "CacheSecretsAndConfigMaps": false}},
		{name: "set", args: []string{"--feature-gates=Honoured=true, CacheSecretsAndConfigMaps=true"},
			want: map[string]bool{"Honoured": true, "CacheSecretsAndConfigMaps": true}},
		{name: "repeated flags add up", args: []string{"--feature-gates=Honoured=true", "--feature-gates=Ignored=true"},
			want: map[string]bool{"Honoured": true, "Ignored": true}},
		{name: "unknown gate", args: []string{"--feature-gates=Honoured=true,NoSuchGate=true"},
			wantErr: "feature gate 'NoSuchGate' is not supported; known gates: CacheSecretsAndConfigMaps, Honoured, Ignored, ObjectLevelWorkloadIdentity"},
		{name: "not a bool", args: []string{"--feature-gates=Honoured=yes please"}, wantErr: "'yes please' is not true or false"},
		{name: "no value", args: []string{"--feature-gates=Honoured"}, wantErr: "'Honoured' is not Name=true or Name=false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parse(t, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.want {
				if got := o.FeatureGates.Enabled(Gate{Name: name}); got != want {
					t.Errorf("%s enabled = %t, want %t", name, got, want)
				}
			}
		})
	}
}

// A jitter of 100% or more would requeue at once or in the past: refused at
// start-up, as Flux refuses it.
func TestIntervalJitterOutOfRange(t *testing.T) {
	o, err := parse(t, "--interval-jitter-percentage=100")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Config(); err == nil || !strings.Contains(err.Error(), "--interval-jitter-percentage") {
		t.Errorf("Config() error %v, want one naming --interval-jitter-percentage", err)
	}
}

// --interval-jitter-percentage sets the jitter skeleton.finish spreads
// requeues by (tested there); restored afterwards for the other tests.
func TestIntervalJitter(t *testing.T) {
	o, err := parse(t, "--interval-jitter-percentage=50")
	if err != nil {
		t.Fatal(err)
	}
	previous := skeleton.IntervalJitter()
	t.Cleanup(func() { _, _ = skeleton.SetIntervalJitter(previous) })
	t.Setenv("KUBECONFIG", t.TempDir()+"/none") // Config fails after the jitter is set: no cluster needed
	_, _ = o.Config()
	if got := skeleton.IntervalJitter(); got != 50 {
		t.Errorf("jitter = %d%%, want 50%%", got)
	}
}
