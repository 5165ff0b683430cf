package notifier

import (
	"sort"
	"strings"
)

// SupportedTypes lists the supported types, for messages.
func SupportedTypes() string {
	names := make([]string, 0, len(constructors))
	for t := range constructors {
		names = append(names, t)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
