package postrender

import (
	"fmt"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// resolveAliases makes every document of the stream stand on its own.
// Helm 4 hands a post-renderer the items of a chart's `kind: List` as
// documents of their own, with their YAML anchors and aliases as written,
// so an alias may point into another document, which no YAML reader
// accepts. Such a stream is read as the items of one List again, the
// aliases replaced by what they stand for, and written back document by
// document. A stream without such aliases is returned as it is.
func resolveAliases(in []byte) ([]byte, error) {
	_, err := kio.ParseAll(string(in))
	if err == nil || !strings.Contains(err.Error(), "unknown anchor") {
		return in, nil // a stream that does not parse is reported by the step reading it
	}
	var list strings.Builder
	list.WriteString("apiVersion: v1\nkind: List\nitems:\n")
	for _, doc := range documents(string(in)) {
		for i, line := range strings.Split(doc, "\n") {
			if i == 0 {
				list.WriteString("- ")
			} else {
				list.WriteString("  ")
			}
			list.WriteString(line)
			list.WriteByte('\n')
		}
	}
	node, err := yaml.Parse(list.String())
	if err != nil {
		return nil, fmt.Errorf("read rendered manifests: %w", err)
	}
	if err := node.DeAnchor(); err != nil {
		return nil, fmt.Errorf("resolve YAML aliases: %w", err)
	}
	items, err := node.Pipe(yaml.Lookup("items"))
	if err != nil {
		return nil, err
	}
	elements, err := items.Elements()
	if err != nil {
		return nil, err
	}
	out, err := kio.StringAll(elements)
	if err != nil {
		return nil, err
	}
	return []byte(out), nil
}

// documents splits a YAML stream at its "---" lines, leaving out empty
// documents.
func documents(stream string) []string {
	var docs []string
	var cur []string
	flush := func() {
		if doc := strings.TrimSpace(strings.Join(cur, "\n")); doc != "" {
			docs = append(docs, strings.Join(cur, "\n"))
		}
		cur = cur[:0]
	}
	for _, line := range strings.Split(stream, "\n") {
		if strings.TrimRight(line, " \t") == "---" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return docs
}
