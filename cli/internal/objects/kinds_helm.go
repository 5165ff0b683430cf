package objects

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// HelmRelease is helm.toolkit.fluxcd.io/v2 HelmRelease. Its source, for
// --with-source, is what flux reconciles: the chartRef's object, or the
// HelmChart the helm-controller made from spec.chart (whose own source is
// reconciled before it).
var HelmRelease = &Kind{
	Kind:           helmv2.HelmReleaseKind,
	APIVersion:     helmv2.GroupVersion.String(),
	Words:          []string{"helmrelease"},
	Noun:           "helmrelease",
	Plural:         "HelmReleases",
	GetCommand:     "tide get helmreleases",
	Aliases:        []string{"hr", "helmreleases"},
	CommandAliases: []string{"hr", "helmreleases"},
	Done:           "applied",
	SourceOf:       helmReleaseSource,
	ForceAndReset:  true,
	newObject:      func() Object { return &helmv2.HelmRelease{} },
	newList:        func() client.ObjectList { return &helmv2.HelmReleaseList{} },
}

func helmReleaseSource(o Object) (string, string, string) {
	hr := o.(*helmv2.HelmRelease)
	if ref := hr.Spec.ChartRef; ref != nil {
		return ref.Kind, ref.Namespace, ref.Name
	}
	if hr.Spec.Chart == nil {
		return "", "", ""
	}
	// The helm-controller names the HelmChart <namespace>-<name> and puts
	// it in the namespace of the template's source.
	ns := hr.Spec.Chart.Spec.SourceRef.Namespace
	if ns == "" {
		ns = hr.Namespace
	}
	return sourcev1.HelmChartKind, ns, fmt.Sprintf("%s-%s", hr.Namespace, hr.Name)
}

// helmRevision is the REVISION cell of a HelmRelease, as flux shows it: the
// chart version of the newest release, else the revision last attempted.
func helmRevision(obj runtime.Object) (string, bool) {
	hr, ok := obj.(*helmv2.HelmRelease)
	if !ok {
		return "", false
	}
	if s := hr.Status.History.Latest(); s != nil {
		return s.ChartVersion, true
	}
	return hr.Status.LastAttemptedRevision, true
}
