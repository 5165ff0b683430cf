package objects

import (
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// droppedAnnotations are set by tools or the CLI, not by the user.
var droppedAnnotationPrefixes = []string{
	"reconcile.fluxcd.io/",
	"kubectl.kubernetes.io/last-applied-configuration",
}

// Clean returns obj as a manifest a user could commit: apiVersion, kind,
// metadata with only name, namespace, labels and annotations (less the
// reconcile-request ones), and the rest of the object but status.
func Clean(obj runtime.Object) (map[string]any, error) {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(u, "status")
	md, _ := u["metadata"].(map[string]any)
	clean := map[string]any{}
	for _, k := range []string{"name", "namespace", "labels"} {
		if v, ok := md[k]; ok {
			clean[k] = v
		}
	}
	if ann, ok := md["annotations"].(map[string]any); ok {
		kept := map[string]any{}
		for k, v := range ann {
			if !dropped(k) {
				kept[k] = v
			}
		}
		if len(kept) > 0 {
			clean["annotations"] = kept
		}
	}
	u["metadata"] = clean
	return u, nil
}

func dropped(annotation string) bool {
	for _, p := range droppedAnnotationPrefixes {
		if strings.HasPrefix(annotation, p) {
			return true
		}
	}
	return false
}

// WriteYAML writes docs as YAML documents separated by "---".
func WriteYAML(w io.Writer, docs ...any) error {
	for _, d := range docs {
		data, err := yaml.Marshal(d)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "---\n%s", data); err != nil {
			return err
		}
	}
	return nil
}

// Export writes objs as clean YAML documents.
func Export(w io.Writer, objs ...runtime.Object) error {
	docs := make([]any, 0, len(objs))
	for _, o := range objs {
		c, err := Clean(o)
		if err != nil {
			return err
		}
		docs = append(docs, c)
	}
	return WriteYAML(w, docs...)
}
