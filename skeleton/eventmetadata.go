package skeleton

import (
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// eventMetadata prefixes the plan's event metadata (EventMetadata or
// SuccessMetadata) with obj's API group
// ("kustomize.toolkit.fluxcd.io/revision"): the notification-controller
// keeps only the keys of the object's group (and event.toolkit.fluxcd.io,
// which the recorder copies from the object's annotations).
func (s *Skeleton) eventMetadata(obj Object, metadata func() map[string]string) map[string]string {
	if metadata == nil {
		return nil
	}
	gvk, err := apiutil.GVKForObject(obj, s.Client.Scheme())
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range metadata() {
		if v != "" {
			out[gvk.Group+"/"+k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// merged is a copy of a with b's keys added.
func merged(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
