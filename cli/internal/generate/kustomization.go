package generate

import (
	"fmt"
	"path"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// KustomizationOptions are the flags of `tide create kustomization`.
type KustomizationOptions struct {
	Name, Namespace string
	// Source is [GitRepository/]NAME or OCIRepository/NAME.
	Source          string
	Path            string
	Prune           bool
	Interval        time.Duration
	TargetNamespace string
	// DependsOn are [NAMESPACE/]NAME of other Kustomizations.
	DependsOn []string
	Wait      bool
}

// Kustomization returns the Kustomization the options describe.
func Kustomization(o KustomizationOptions) (*kustomizev1.Kustomization, error) {
	src, err := sourceRef(o.Source)
	if err != nil {
		return nil, err
	}
	p, err := cleanPath(o.Path)
	if err != nil {
		return nil, err
	}
	if o.Interval <= 0 {
		return nil, fmt.Errorf("--interval must be positive, e.g. --interval=10m")
	}
	ks := &kustomizev1.Kustomization{
		TypeMeta:   metav1.TypeMeta{APIVersion: kustomizev1.GroupVersion.String(), Kind: kustomizev1.KustomizationKind},
		ObjectMeta: metav1.ObjectMeta{Name: o.Name, Namespace: o.Namespace},
		Spec: kustomizev1.KustomizationSpec{
			SourceRef:       src,
			Path:            p,
			Prune:           o.Prune,
			Interval:        metav1.Duration{Duration: o.Interval},
			TargetNamespace: o.TargetNamespace,
			Wait:            o.Wait,
		},
	}
	for _, d := range o.DependsOn {
		d = strings.TrimSpace(d)
		if d == "" {
			continue
		}
		ns, name, found := strings.Cut(d, "/")
		if !found {
			ns, name = "", d
		}
		if name == "" || strings.Contains(name, "/") {
			return nil, fmt.Errorf("--depends-on %q: use NAME or NAMESPACE/NAME of a Kustomization", d)
		}
		ks.Spec.DependsOn = append(ks.Spec.DependsOn, kustomizev1.DependencyReference{Name: name, Namespace: ns})
	}
	return ks, nil
}

// kustomizationSourceKinds are the kinds a Kustomization may build from.
var kustomizationSourceKinds = []string{sourcev1.GitRepositoryKind, sourcev1.OCIRepositoryKind}

func sourceRef(s string) (kustomizev1.CrossNamespaceSourceReference, error) {
	if s == "" {
		return kustomizev1.CrossNamespaceSourceReference{}, fmt.Errorf("say where the manifests come from: pass --source=GitRepository/NAME or --source=OCIRepository/NAME (list them with 'tide get sources all')")
	}
	kind, name, err := objectRef(s, sourcev1.GitRepositoryKind, kustomizationSourceKinds, "--source")
	return kustomizev1.CrossNamespaceSourceReference{Kind: kind, Name: name}, err
}

// cleanPath makes path relative to the source root, as "./dir".
func cleanPath(p string) (string, error) {
	if p == "" {
		return "./", nil
	}
	if strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("--path %q must be relative to the repository root, e.g. --path=./deploy", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("--path %q leaves the repository: use a path inside it, e.g. --path=./deploy", p)
	}
	if c == "." {
		return "./", nil
	}
	return "./" + c, nil
}
