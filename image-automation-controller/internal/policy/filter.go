package policy

import (
	"regexp"
	"strconv"
)

// filter is spec.filterTags: the tags pattern matches, compared by what
// extract makes of them ($1, ${name}, or the whole tag when extract is
// empty).
type filter struct {
	pattern string
	re      *regexp.Regexp
	extract string
}

func newFilter(pattern, extract string) (*filter, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, newError(ErrInvalidPolicy,
			"spec.filterTags.pattern '%s' is not a regular expression (%s): fix it", pattern, err.Error())
	}
	if err := checkExtract(re, extract); err != nil {
		return nil, err
	}
	return &filter{pattern: pattern, re: re, extract: extract}, nil
}

// checkExtract refuses an extract naming a group the pattern does not
// have: Go would expand it to nothing, so every tag would compare equal.
// (Flux does not check, and then picks among empty values.)
func checkExtract(re *regexp.Regexp, extract string) error {
	names := re.SubexpNames()
	for _, ref := range groupRefs(extract) {
		if n, err := strconv.Atoi(ref); err == nil {
			if n <= re.NumSubexp() {
				continue
			}
		} else if re.SubexpIndex(ref) >= 0 {
			continue
		}
		return newError(ErrInvalidPolicy,
			"spec.filterTags.extract '%s' names group '%s', which spec.filterTags.pattern '%s' does not have (its groups: %s): fix one of them",
			extract, ref, re.String(), describeGroups(re.NumSubexp(), names))
	}
	return nil
}

// groupRefs lists the groups a template names, as regexp.Expand reads
// them: $name or ${name}, where the name is letters, digits and
// underscores; "$$" is a dollar sign.
func groupRefs(template string) []string {
	var refs []string
	for i := 0; i < len(template); i++ {
		if template[i] != '$' || i+1 >= len(template) {
			continue
		}
		if template[i+1] == '$' {
			i++
			continue
		}
		braced := template[i+1] == '{'
		start := i + 1
		if braced {
			start++
		}
		end := start
		for end < len(template) && isNameByte(template[end]) {
			end++
		}
		if end == start || (braced && (end >= len(template) || template[end] != '}')) {
			continue // not a reference: Expand copies it as it is
		}
		refs = append(refs, template[start:end])
		i = end - 1
		if braced {
			i = end
		}
	}
	return refs
}

func isNameByte(c byte) bool {
	return c == '_' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func describeGroups(n int, names []string) string {
	if n == 0 {
		return "none"
	}
	out := ""
	for i := 1; i <= n; i++ {
		if out != "" {
			out += ", "
		}
		out += "$" + strconv.Itoa(i)
		if names[i] != "" {
			out += " ($" + names[i] + ")"
		}
	}
	return out
}

// apply returns the values to compare and, at the same index, the tag each
// came from, in the order of tags. Tags that extract to the same value
// count once, the last given standing for it, as in Flux, where each
// overwrites the one before.
func (f *filter) apply(tags []string) (values, originals []string) {
	index := map[string]int{}
	for _, tag := range tags {
		m := f.re.FindStringSubmatchIndex(tag)
		if m == nil {
			continue
		}
		value := tag
		if f.extract != "" {
			value = string(f.re.ExpandString(nil, f.extract, tag, m))
		}
		if i, seen := index[value]; seen {
			originals[i] = tag
			continue
		}
		index[value] = len(values)
		values = append(values, value)
		originals = append(originals, tag)
	}
	return values, originals
}
