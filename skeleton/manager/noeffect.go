package manager

import "github.com/spf13/pflag"

// infoLogger is the part of a logr.Logger that start-up notices need.
type infoLogger interface {
	Info(msg string, keysAndValues ...any)
}

// noEffectAnnotation marks a flag Tide accepts only so that a Flux
// Deployment's arguments start a Tide controller; its value is why the
// flag changes nothing.
const noEffectAnnotation = "tide.noEffect"

// NoEffect adds to fs the flags bind declares, named, typed and defaulted
// as Flux's, for a feature Tide does not have (yet): a Flux Deployment's
// arguments then start the Tide controller instead of failing on an unknown
// flag. Each one the user sets is logged once at start-up, with reason
// (see LogNoEffect), and its help says so too.
func NoEffect(fs *pflag.FlagSet, reason string, bind func(fs *pflag.FlagSet)) {
	declared := pflag.NewFlagSet("no-effect", pflag.ContinueOnError)
	bind(declared)
	declared.VisitAll(func(f *pflag.Flag) {
		f.Usage += " (No effect in Tide: " + reason + ".)"
		fs.AddFlag(f)
		_ = fs.SetAnnotation(f.Name, noEffectAnnotation, []string{reason})
	})
}

// noWorkloadIdentity is why the flags and gates of Flux's workload identity
// (cloud-provider identities of service accounts) change nothing in Tide.
const noWorkloadIdentity = "workload identity is not supported yet"

// NoWorkloadIdentity adds to fs, as NoEffect does, the flags bind declares
// for Flux's workload identity, which Tide does not have yet.
func NoWorkloadIdentity(fs *pflag.FlagSet, bind func(fs *pflag.FlagSet)) {
	NoEffect(fs, noWorkloadIdentity, bind)
}

// LogNoEffect logs, once per flag, each flag of fs the user set that has no
// effect in Tide (see NoEffect), and each feature gate the user set that
// changes nothing in Tide.
func (o Options) LogNoEffect(log infoLogger) {
	if o.flags != nil {
		o.flags.Visit(func(f *pflag.Flag) {
			if reason := f.Annotations[noEffectAnnotation]; len(reason) > 0 {
				log.Info("flag has no effect in Tide: "+reason[0], "flag", "--"+f.Name)
			}
		})
	}
	for _, g := range o.FeatureGates.setWithoutEffect() {
		log.Info("feature gate has no effect in Tide: "+g.NoEffect, "gate", g.Name)
	}
}
