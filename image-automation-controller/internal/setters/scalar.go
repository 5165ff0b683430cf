package setters

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// span is the byte range of a scalar's token (quotes included) in a file.
type span struct{ start, end int }

// lineStarts returns the byte offset of each line's first byte.
func lineStarts(b []byte) []int {
	starts := []int{0}
	for i, c := range b {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// offsetOf turns the parser's 1-based line and (rune) column into a byte offset.
func offsetOf(b []byte, starts []int, line, column int) (int, error) {
	if line < 1 || line > len(starts) {
		return 0, fmt.Errorf("line %d out of range", line)
	}
	off := starts[line-1]
	for col := 1; col < column; col++ {
		if off >= len(b) || b[off] == '\n' {
			return 0, fmt.Errorf("column %d out of range on line %d", column, line)
		}
		_, size := utf8.DecodeRune(b[off:])
		off += size
	}
	return off, nil
}

// scalarSpan finds where the token of scalar n starts and ends in b, and
// checks that the bytes found read back as the parsed value, so a value is
// never spliced at the wrong place.
func scalarSpan(b []byte, starts []int, n *yaml.Node, inFlow bool) (span, error) {
	start, err := offsetOf(b, starts, n.Line, n.Column)
	if err != nil {
		return span{}, err
	}
	var end int
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		end = endOfDoubleQuoted(b, start)
	case n.Style&yaml.SingleQuotedStyle != 0:
		end = endOfSingleQuoted(b, start)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return span{}, fmt.Errorf("line %d: a marked block scalar (| or >) cannot be rewritten; write the value on one line", n.Line)
	default:
		end = endOfPlain(b, start, inFlow)
	}
	if end < 0 {
		return span{}, fmt.Errorf("line %d: cannot find the end of the marked value", n.Line)
	}
	s := span{start, end}
	var got string
	if err := yaml.Unmarshal(b[start:end], &got); err != nil || got != n.Value {
		return span{}, fmt.Errorf("line %d: the marked value spans several lines; write it on one line", n.Line)
	}
	return s, nil
}

func endOfDoubleQuoted(b []byte, start int) int {
	for i := start + 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

func endOfSingleQuoted(b []byte, start int) int {
	for i := start + 1; i < len(b); i++ {
		if b[i] != '\'' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\'' {
			i++
			continue
		}
		return i + 1
	}
	return -1
}

// endOfPlain ends a plain scalar at the line's end, at a comment (" #"),
// and in flow context at a flow indicator; trailing blanks are not part of it.
func endOfPlain(b []byte, start int, inFlow bool) int {
	i := start
	for ; i < len(b); i++ {
		c := b[i]
		if c == '\n' || c == '\r' {
			break
		}
		if c == '#' && i > start && (b[i-1] == ' ' || b[i-1] == '\t') {
			break
		}
		if inFlow && (c == ',' || c == ']' || c == '}') {
			break
		}
	}
	for i > start && (b[i-1] == ' ' || b[i-1] == '\t') {
		i--
	}
	return i
}

// encode writes v in the style of the scalar it replaces: quoted values keep
// their quotes; a plain value stays plain unless it would then read as
// something other than this string (a number, a bool in YAML 1.1, a value
// with a comment or flow indicator), in which case it is double-quoted, as
// Flux quotes such values.
func encode(v string, style yaml.Style, inFlow bool) string {
	switch {
	case style&yaml.SingleQuotedStyle != 0:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case style&yaml.DoubleQuotedStyle != 0 || !plainSafe(v, inFlow):
		return doubleQuote(v)
	}
	return v
}

var yaml11NonStrings = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}

func plainSafe(v string, inFlow bool) bool {
	if v == "" || yaml11NonStrings[v] || strings.ContainsAny(v, "\n\r\t") {
		return false
	}
	if inFlow && strings.ContainsAny(v, ",[]{}") {
		return false
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+v), &n); err != nil || len(n.Content) != 1 {
		return false
	}
	m := n.Content[0]
	if m.Kind != yaml.MappingNode || len(m.Content) != 2 {
		return false
	}
	val := m.Content[1]
	return val.Kind == yaml.ScalarNode && val.ShortTag() == "!!str" && val.Value == v && val.Style == 0
}

func doubleQuote(v string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&sb, "\\x%02x", r)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
