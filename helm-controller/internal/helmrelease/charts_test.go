package helmrelease

import (
	"bytes"
	"os"
	"testing"
	"time"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"sigs.k8s.io/yaml"

	"github.com/tidegitops/tide/testkit/helmserver"
)

// testChart is a chart the tests package: by default a ConfigMap and a
// Service named after the release, the ConfigMap holding .Values.greeting.
type testChart struct {
	name, version string
	values        string
	schema        string
	// templates replace the default ones (file name → content).
	templates map[string]string
	// extra templates are added to the default ones.
	extra map[string]string
	// crds are files of the chart's crds/ folder.
	crds map[string]string
}

const (
	configMapTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  greeting: {{ .Values.greeting | quote }}
  version: {{ .Chart.Version | quote }}
`
	serviceTemplate = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  ports:
  - port: 80
`
	// missingNamespaceTemplate is an object the apiserver refuses: the
	// release that holds it fails after Helm stored it.
	missingNamespaceTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-broken
  namespace: no-such-namespace
`
	// passingTest is a test hook that succeeds at once (a ConfigMap is
	// ready when created); failingTest one the apiserver refuses.
	passingTest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation
`
	failingTest = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-test
  namespace: no-such-namespace
  annotations:
    helm.sh/hook: test
`
)

var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// archive packages the chart with the Helm SDK, as a chart repository or
// the source-controller serves it.
func (c testChart) archive(t *testing.T) []byte {
	t.Helper()
	values := c.values
	if values == "" {
		values = "greeting: hello\n"
	}
	templates := c.templates
	if templates == nil {
		templates = map[string]string{"configmap.yaml": configMapTemplate, "service.yaml": serviceTemplate}
	}
	ch := &chart.Chart{
		Metadata: &chart.Metadata{
			APIVersion: chart.APIVersionV2, Name: c.name, Version: c.version, AppVersion: "app-" + c.version, Type: "application",
		},
		Raw:     []*common.File{{Name: chartutil.ValuesfileName, Data: []byte(values), ModTime: fixedTime}},
		ModTime: fixedTime,
	}
	if c.schema != "" {
		ch.Schema = []byte(c.schema)
		ch.SchemaModTime = fixedTime
	}
	add := func(files map[string]string) {
		for name, data := range files {
			ch.Templates = append(ch.Templates, &common.File{Name: "templates/" + name, Data: []byte(data), ModTime: fixedTime})
		}
	}
	add(templates)
	add(c.extra)
	for name, data := range c.crds {
		ch.Files = append(ch.Files, &common.File{Name: "crds/" + name, Data: []byte(data), ModTime: fixedTime})
	}
	var err error
	if ch.Values, err = common.ReadValues([]byte(values)); err != nil {
		t.Fatal(err)
	}
	file, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatalf("package chart: %v", err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func yamlToJSON(doc string) ([]byte, error) { return yaml.YAMLToJSON([]byte(doc)) }

func loadChart(data []byte) (*chart.Chart, error) { return loader.LoadArchive(bytes.NewReader(data)) }

// deploymentTemplate is a Deployment that never becomes available here:
// no controller-manager runs its ReplicaSet.
const deploymentTemplate = helmserver.DeploymentTemplate

// widgetCRD is a CRD with one short name per chart version.
func widgetCRD(shortName string) string {
	return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.tide.dev
spec:
  group: example.tide.dev
  names:
    kind: Widget
    plural: widgets
    shortNames: [` + shortName + `]
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`
}
