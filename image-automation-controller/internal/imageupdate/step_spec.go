package imageupdate

import (
	"context"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/skeleton"
)

// checkSpec refuses, as Stalled, what no retry can fix: an update strategy
// other than Setters, no spec.git, a source other than a GitRepository, a
// policy selector, commit message or push branch template that does not
// parse, a forcing or deleting refspec, an update path leaving the
// repository.
func (r *Reconciler) checkSpec(_ context.Context, s *scope) error {
	spec := s.obj.Spec
	if st := s.obj.GetUpdateStrategy(); st != imagev1.UpdateStrategySetters {
		return skeleton.Stall(imagev1.InvalidUpdateStrategyReason,
			"update strategy %q is not supported: use 'Setters'", st)
	}
	if spec.GitSpec == nil {
		return skeleton.Stall(imagev1.InvalidSourceConfigReason,
			"spec.git is missing: give at least spec.git.commit.author.email")
	}
	if k := spec.SourceRef.Kind; k != "" && k != "GitRepository" {
		return skeleton.Stall(imagev1.InvalidSourceConfigReason,
			"source kind %q is not supported: spec.sourceRef must name a GitRepository", k)
	}
	if p := s.obj.GetUpdatePath(); slices.Contains(strings.Split(p, "/"), "..") {
		return skeleton.Stall(imagev1.InvalidSourceConfigReason,
			"spec.update.path %q leaves the repository: give a path inside it", s.obj.GetUpdatePath())
	}
	s.selector = labels.Everything()
	if spec.PolicySelector != nil {
		sel, err := metav1.LabelSelectorAsSelector(spec.PolicySelector)
		if err != nil {
			return skeleton.Stall(imagev1.InvalidPolicySelectorReason, "spec.policySelector is not valid: %s", err)
		}
		s.selector = sel
	}
	commit := spec.GitSpec.Commit
	if usesRemovedField(commit.MessageTemplate) {
		return skeleton.Stall(imagev1.RemovedTemplateFieldReason,
			"spec.git.commit.messageTemplate uses '.Updated', which Flux's v1 API removed: use '.Changed' (see .Changed.FileChanges, .Changed.Objects, .Changed.Changes)")
	}
	msg, err := parseMessage(commit.MessageTemplate)
	if err != nil {
		return skeleton.Stall(imagev1.UpdateFailedReason, "spec.git.commit.messageTemplate does not parse: %s", err)
	}
	s.message = msg
	if push := spec.GitSpec.Push; push != nil {
		if s.branches, err = parseBranch(push.Branch); err != nil {
			return skeleton.Stall(imagev1.InvalidSourceConfigReason, "spec.git.push.branch does not parse as a template: %s", err)
		}
		if rs := strings.TrimSpace(push.Refspec); strings.HasPrefix(rs, "+") || strings.HasPrefix(rs, ":") {
			return skeleton.Stall(imagev1.InvalidSourceConfigReason,
				"spec.git.push.refspec %q forces or deletes: neither is supported; write it as <local ref>:<remote ref>", rs)
		}
	}
	return nil
}
