package imageupdate

import (
	"fmt"
	"sort"
	"strings"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/setters"
	"github.com/tidegitops/tide/skeleton"
)

// problemList gathers what a run could not update, across its branches:
// files left untouched and markers naming a policy that does not exist.
type problemList struct {
	lines map[string]bool
}

// add records what a report shows. A marker naming a policy of another
// namespace is some other automation's business; one naming a policy of
// this namespace that does not exist is a typo or a deleted policy.
func (p *problemList) add(s *scope, r setters.Report) {
	for _, sk := range r.Skipped {
		p.note(fmt.Sprintf("file %s was left untouched: %s", sk.Path, sk.Reason))
	}
	for policy, files := range r.Markers {
		ns, name, _ := strings.Cut(policy, ":")
		if ns == s.obj.Namespace && !s.existing[name] {
			p.note(fmt.Sprintf("%s: a marker names ImagePolicy '%s/%s', which does not exist: create it, or fix the marker",
				strings.Join(files, ", "), ns, name))
		}
	}
}

func (p *problemList) note(line string) {
	if p.lines == nil {
		p.lines = map[string]bool{}
	}
	p.lines[line] = true
}

// err fails the run with every problem, once the updates that could be made
// were pushed.
func (p *problemList) err() error {
	if len(p.lines) == 0 {
		return nil
	}
	var lines []string
	for l := range p.lines {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return skeleton.Retryf(imagev1.UpdateFailedReason, "%s", strings.Join(lines, "; "))
}
