package imageupdate

import (
	"context"
	"sort"

	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/setters"
	"github.com/tidegitops/tide/skeleton"
)

// selectPolicies lists the ImagePolicies of the automation's namespace that
// spec.policySelector selects, keeping those with a latest image (a policy
// that has chosen none yet updates nothing), as Flux does.
func (r *Reconciler) selectPolicies(ctx context.Context, s *scope) error {
	var list imagev1.ImagePolicyList
	if err := r.List(ctx, &list, client.InNamespace(s.obj.Namespace)); err != nil {
		return skeleton.Retry(imagev1.UpdateFailedReason, err)
	}
	s.existing = map[string]bool{}
	s.observed = imagev1.ObservedPolicies{}
	for _, p := range list.Items {
		s.existing[p.Name] = true
		if !s.selector.Matches(labels.Set(p.Labels)) || p.Status.LatestRef == nil {
			continue
		}
		s.selected = append(s.selected, p)
		s.observed[p.Name] = *p.Status.LatestRef
	}
	sort.Slice(s.selected, func(i, j int) bool { return s.selected[i].Name < s.selected[j].Name })
	return nil
}

// settersOf maps the policies to what their markers write.
func settersOf(policies []imagev1.ImagePolicy) setters.Policies {
	out := setters.Policies{}
	for _, p := range policies {
		ref := p.Status.LatestRef
		out[p.Namespace+":"+p.Name] = setters.Image{Name: ref.Name, Tag: ref.Tag, Digest: ref.Digest}
	}
	return out
}
