package objects

import (
	"context"
	"fmt"
)

// Targets resolves the objects a command acts on: the named one, or with
// all every object of k in the namespace. It errors when neither or both
// are given, and when --all finds nothing.
func (s *Session) Targets(ctx context.Context, k *Kind, args []string, all bool) ([]Object, error) {
	switch {
	case all && len(args) > 0:
		return nil, fmt.Errorf("give either a name or --all, not both")
	case all:
		items, err := s.List(ctx, k, false)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, fmt.Errorf("no %s found in namespace '%s': list them with '%s -A'", k.Noun, s.Namespace, k.GetCommand)
		}
		return items, nil
	case len(args) == 1:
		obj, err := s.Get(ctx, k, args[0])
		if err != nil {
			return nil, err
		}
		return []Object{obj}, nil
	default:
		return nil, fmt.Errorf("give the %s's name, or --all", k.Noun)
	}
}
