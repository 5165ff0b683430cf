package setters

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"

	"go.yaml.in/yaml/v3"
)

// edit is one value to splice into a file.
type edit struct {
	span
	text   string
	object ObjectIdentifier
	change Change
}

// UpdateBytes rewrites the marked values of one YAML stream (any number of
// documents). It returns the new bytes and the changes made, per object; with
// no change the input is returned as is. An error means the stream does not
// parse, or a marked value cannot be rewritten safely: nothing is changed then.
func UpdateBytes(content []byte, policies Policies) ([]byte, map[ObjectIdentifier][]Change, error) {
	out, changes, _, err := update(content, policies)
	return out, changes, err
}

// update is UpdateBytes that also returns the setter of every marker found,
// known to policies or not.
func update(content []byte, policies Policies) ([]byte, map[ObjectIdentifier][]Change, []string, error) {
	var edits []edit
	var markers []string
	starts := lineStarts(content)
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return content, nil, nil, err
		}
		w := walker{content: content, starts: starts, policies: policies, object: identify(&doc)}
		if err := w.walk(&doc, false); err != nil {
			return content, nil, nil, err
		}
		edits = append(edits, w.edits...)
		markers = append(markers, w.markers...)
	}
	if len(edits) == 0 {
		return content, nil, markers, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out bytes.Buffer
	changes := map[ObjectIdentifier][]Change{}
	last := 0
	for _, e := range edits {
		if e.start < last {
			return content, nil, nil, fmt.Errorf("overlapping marked values at byte %d", e.start)
		}
		out.Write(content[last:e.start])
		out.WriteString(e.text)
		last = e.end
		changes[e.object] = append(changes[e.object], e.change)
	}
	out.Write(content[last:])
	return out.Bytes(), changes, markers, nil
}

type walker struct {
	content  []byte
	starts   []int
	policies Policies
	object   ObjectIdentifier
	edits    []edit
	markers  []string
}

// walk visits the values of mappings and the items of sequences (never keys),
// as kyaml's setters do.
func (w *walker) walk(n *yaml.Node, inFlow bool) error {
	inFlow = inFlow || n.Style&yaml.FlowStyle != 0
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if err := w.walk(c, inFlow); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			if err := w.walk(n.Content[i], inFlow); err != nil {
				return err
			}
		}
	case yaml.ScalarNode:
		return w.scalar(n, inFlow)
	}
	return nil
}

func (w *walker) scalar(n *yaml.Node, inFlow bool) error {
	setter, ok := markerOf(n)
	if !ok {
		return nil
	}
	w.markers = append(w.markers, setter)
	value, ok := w.policies.value(setter)
	if !ok || value == n.Value {
		return nil
	}
	s, err := scalarSpan(w.content, w.starts, n, inFlow)
	if err != nil {
		return err
	}
	w.edits = append(w.edits, edit{
		span:   s,
		text:   encode(value, n.Style, inFlow),
		object: w.object,
		change: Change{OldValue: n.Value, NewValue: value, Setter: setter},
	})
	return nil
}

// identify reads apiVersion, kind, metadata.name and metadata.namespace of a
// document, as far as they are there.
func identify(doc *yaml.Node) ObjectIdentifier {
	var id ObjectIdentifier
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return id
	}
	root := doc.Content[0]
	id.APIVersion = field(root, "apiVersion")
	id.Kind = field(root, "kind")
	if meta := child(root, "metadata"); meta != nil {
		id.Name = field(meta, "name")
		id.Namespace = field(meta, "namespace")
	}
	return id
}

func child(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func field(m *yaml.Node, key string) string {
	if n := child(m, key); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}
