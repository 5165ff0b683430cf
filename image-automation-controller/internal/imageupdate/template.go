package imageupdate

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"k8s.io/apimachinery/pkg/types"

	"github.com/tidegitops/tide/image-automation-controller/internal/setters"
)

// defaultMessage is Flux's commit message when spec.git.commit.messageTemplate
// is empty.
const defaultMessage = "Update from image update automation"

// TemplateData is what a commit message template is given, as in Flux:
// {{ .AutomationObject }} is "<namespace>/<name>", .Changed the changes
// (.Changed.FileChanges, .Changed.Objects, .Changed.Changes), .Values the
// spec's messageTemplateValues.
type TemplateData struct {
	AutomationObject types.NamespacedName
	Changed          setters.Result
	Values           map[string]string
}

// parseMessage parses the commit message template with Sprig's functions,
// as Flux does.
func parseMessage(text string) (*template.Template, error) {
	if text == "" {
		text = defaultMessage
	}
	return template.New("commit message").Funcs(sprig.TxtFuncMap()).Option("missingkey=error").Parse(text)
}

// usesRemovedField tells a template written for Flux's v1beta1 `.Updated`
// data, which Flux's v1 removed for `.Changed`.
func usesRemovedField(text string) bool {
	return strings.Contains(text, ".Updated")
}

func render(t *template.Template, data any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// branchTemplate is spec.git.push.branch written as a Go template (Tide's
// own extension): it renders, for each policy, the branch its updates go to.
type branchTemplate struct {
	text string
	t    *template.Template
}

// BranchData is what a push branch template is given: the policy whose
// update the branch carries, and the automation.
type BranchData struct {
	// Policy is the ImagePolicy's name, Namespace its namespace.
	Policy, Namespace string
	// Image, Tag and Digest are the policy's latest image.
	Image, Tag, Digest string
	AutomationObject   types.NamespacedName
	Values             map[string]string
}

// parseBranch returns nil for a plain branch name.
func parseBranch(text string) (*branchTemplate, error) {
	if !strings.Contains(text, "{{") {
		return nil, nil
	}
	t, err := template.New("push branch").Funcs(sprig.TxtFuncMap()).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	return &branchTemplate{text: text, t: t}, nil
}

func (b *branchTemplate) render(data BranchData) (string, error) {
	out, err := render(b.t, data)
	if err != nil {
		return "", fmt.Errorf("spec.git.push.branch %q: %w", b.text, err)
	}
	out = strings.TrimSpace(out)
	if out == "" {
		return "", fmt.Errorf("spec.git.push.branch %q renders to an empty branch name for policy %s", b.text, data.Policy)
	}
	return out, nil
}
