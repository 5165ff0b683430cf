package manager

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Gate is one of Flux's feature gates of a controller.
type Gate struct {
	Name    string
	Default bool
	// NoEffect says why the gate changes nothing in Tide; empty when Tide
	// honours it.
	NoEffect string
}

// Feature gates both controllers know, as Flux's do.
var (
	// GateCacheSecretsAndConfigMaps: Tide never caches the content of
	// Secrets and ConfigMaps (all of them would sit in memory), only
	// metadata: the kustomize-controller (WatchConfigs) watches that of
	// those labelled for --watch-configs-label-selector; the
	// source-controller (no WatchConfigs) that of every Secret, to notice
	// a change of one a GitRepository names.
	GateCacheSecretsAndConfigMaps = Gate{Name: "CacheSecretsAndConfigMaps",
		NoEffect: "Secrets and ConfigMaps are always read from the API server, never cached"}
	GateObjectLevelWorkloadIdentity = Gate{Name: "ObjectLevelWorkloadIdentity", NoEffect: noWorkloadIdentity}
)

// FeatureGates is the --feature-gates flag: "Name=true,Other=false", as
// Flux's controllers take it. A name the controller's Flux twin does not
// know is refused, as Flux refuses it.
type FeatureGates struct {
	known []Gate
	set   map[string]bool
}

// Add declares gates the controller knows.
func (g *FeatureGates) Add(gates ...Gate) { g.known = append(g.known, gates...) }

// Enabled tells whether the gate is on: as set by the flag, else its
// default.
func (g *FeatureGates) Enabled(gate Gate) bool {
	if on, ok := g.set[gate.Name]; ok {
		return on
	}
	return gate.Default
}

func (g *FeatureGates) lookup(name string) (Gate, bool) {
	i := slices.IndexFunc(g.known, func(k Gate) bool { return k.Name == name })
	if i < 0 {
		return Gate{}, false
	}
	return g.known[i], true
}

// setWithoutEffect lists the gates the user set that change nothing in
// Tide, in name order.
func (g *FeatureGates) setWithoutEffect() []Gate {
	var out []Gate
	for name := range g.set {
		if k, ok := g.lookup(name); ok && k.NoEffect != "" {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b Gate) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Set parses one --feature-gates value; repeated flags add up.
func (g *FeatureGates) Set(value string) error {
	for _, pair := range strings.Split(value, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, raw, ok := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		if !ok {
			return fmt.Errorf("'%s' is not Name=true or Name=false", pair)
		}
		on, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return fmt.Errorf("gate '%s': '%s' is not true or false", name, raw)
		}
		if _, known := g.lookup(name); !known {
			return fmt.Errorf("feature gate '%s' is not supported; known gates: %s", name, strings.Join(g.names(), ", "))
		}
		if g.set == nil {
			g.set = map[string]bool{}
		}
		g.set[name] = on
	}
	return nil
}

func (g *FeatureGates) names() []string {
	names := make([]string, len(g.known))
	for i, k := range g.known {
		names[i] = k.Name
	}
	slices.Sort(names)
	return names
}

// String shows the gates set, in name order.
func (g *FeatureGates) String() string {
	pairs := make([]string, 0, len(g.set))
	for name, on := range g.set {
		pairs = append(pairs, name+"="+strconv.FormatBool(on))
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

// Type is the flag's type in --help, as Flux shows it.
func (g *FeatureGates) Type() string { return "mapStringBool" }
