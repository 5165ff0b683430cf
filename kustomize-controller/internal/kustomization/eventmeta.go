package kustomization

// eventMetadata is the metadata of the outcome's event, as Flux's
// kustomize-controller sends it: the source revision and, for an OCI
// artifact built from Git, the origin revision.
func (s *scope) eventMetadata() map[string]string {
	if s.artifact.Revision == "" {
		return nil
	}
	return map[string]string{
		"revision":       s.artifact.Revision,
		"originRevision": originRevision(s.artifact),
	}
}
