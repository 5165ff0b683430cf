package kustomization

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/kustomize-controller/build"
	"github.com/tidegitops/tide/kustomize-controller/internal/drift"
	"github.com/tidegitops/tide/kustomize-controller/internal/inventory"
)

// builds remembers, per Kustomization, what its last build was made of, so
// that a run whose inputs are those again need not build at all: in a
// monorepo, every Kustomization sees each new commit, though most of their
// folders did not change. Kept in memory only: after a restart every
// Kustomization builds once.
type builds struct {
	mu   sync.Mutex
	last map[types.NamespacedName]*builtFrom
	// runs counts the kustomize builds run, for tests.
	runs atomic.Int64
}

// builtFrom is what one successful build was made of, and what it made.
type builtFrom struct {
	uid        types.UID
	generation int64 // the spec: every field of it that shapes the build
	vars       string
	// artifact is the digest of the last artifact known to hold inputs.
	artifact string
	inputs   *build.Inputs
	// inputsDigest is inputs.Digest of that artifact.
	inputsDigest string
	digest       string // the built objects' (status.history)
	inventory    *kustomizev1.ResourceInventory
}

func (b *builds) get(key types.NamespacedName) *builtFrom {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last[key]
}

func (b *builds) put(key types.NamespacedName, f *builtFrom) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last == nil {
		b.last = map[types.NamespacedName]*builtFrom{}
	}
	b.last[key] = f
}

func (b *builds) forget(key types.NamespacedName) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.last, key)
}

// reuseBuild skips the build of this run, and its dry-run and apply, when
// the build would be the one check applied: the same Kustomization and
// spec, the same substitution values, and an artifact that is either the
// one built or one in which everything the build read is byte for byte the
// same (build.Inputs; a build that read beyond its source, e.g. a remote
// base, is never skipped).
func (r *Reconciler) reuseBuild(ctx context.Context, s *scope, check drift.Check, vars string) bool {
	key := driftKey(s.obj)
	last := r.builds.get(key)
	if last == nil || last.uid != s.obj.UID || last.generation != s.obj.Generation || last.vars != vars ||
		last.digest != check.Digest {
		return false
	}
	if last.artifact == "" || last.artifact != s.artifact.Digest {
		if !last.inputs.Replayable() {
			return false
		}
		digest, err := last.inputs.Digest(s.root)
		if err != nil || digest != last.inputsDigest {
			return false
		}
		moved := *last
		moved.artifact = s.artifact.Digest
		r.builds.put(key, &moved)
	}
	s.buildDigest = last.digest
	ctrl.LoggerFrom(ctx).V(1).Info("what the build reads is unchanged: build skipped", "revision", s.artifact.Revision)
	r.skipApply(ctx, s, check, last.inventory)
	return true
}

// rememberBuild records what this run's build was made of (see reuseBuild).
func (r *Reconciler) rememberBuild(s *scope, inputs *build.Inputs, vars string) {
	key := driftKey(s.obj)
	if !r.watched(s.obj) {
		r.builds.forget(key) // never reused: see lastCheck
		return
	}
	f := &builtFrom{uid: s.obj.UID, generation: s.obj.Generation, vars: vars, artifact: s.artifact.Digest,
		inputs: inputs, digest: s.buildDigest, inventory: inventory.New(s.objects)}
	if inputs.Replayable() {
		if d, err := inputs.Digest(s.root); err == nil {
			f.inputsDigest = d
		} else {
			f.inputs = nil
		}
	}
	r.builds.put(key, f)
}

// digestVars identifies substitution values without keeping them: the
// digest stays in memory, never in a log, event or status.
func digestVars(vars map[string]string) string {
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, k := range names {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(vars[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
