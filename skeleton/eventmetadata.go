package skeleton

import (
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// eventMetadata prefixes the plan's event metadata with obj's API group
// ("kustomize.toolkit.fluxcd.io/revision"): the notification-controller
// keeps only the keys of the object's group (and event.toolkit.fluxcd.io,
// which the recorder copies from the object's annotations).
func (s *Skeleton) eventMetadata(obj Object, plan Plan) map[string]string {
	if plan.EventMetadata == nil {
		return nil
	}
	gvk, err := apiutil.GVKForObject(obj, s.Client.Scheme())
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range plan.EventMetadata() {
		if v != "" {
			out[gvk.Group+"/"+k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
