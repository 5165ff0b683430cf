package crdfacts_test

import "testing"

// fluxHelmRepository lists Flux's HelmRepository CRD as facts: the schema
// controller-gen makes of the types of source-controller/api v1.10.1 (with
// fluxcd/pkg/apis/acl and meta), descriptions left out.
var fluxHelmRepository = map[string]string{
	"apiVersion": "type=string",
	"crd:annotation:kustomize.toolkit.fluxcd.io/substitute": "disabled",
	"crd:group": "source.toolkit.fluxcd.io",
	"crd:names": "{\"categories\":[\"all\",\"fluxcd\",\"fluxcd-sources\"],\"kind\":\"HelmRepository\",\"listKind\":\"HelmRepositoryList\",\"plural\":\"helmrepositories\",\"shortNames\":[\"helmrepo\"],\"singular\":\"helmrepository\"}",
	"crd:scope": "Namespaced",
	"crd:version:v1:additionalPrinterColumns": "[{\"jsonPath\":\".spec.url\",\"name\":\"URL\",\"type\":\"string\"},{\"jsonPath\":\".metadata.creationTimestamp\",\"name\":\"Age\",\"type\":\"date\"},{\"jsonPath\":\".status.conditions[?(@.type==\\\"Ready\\\")].status\",\"name\":\"Ready\",\"type\":\"string\"},{\"jsonPath\":\".status.conditions[?(@.type==\\\"Ready\\\")].message\",\"name\":\"Status\",\"type\":\"string\"}]",
	"crd:version:v1:served":                   "true",
	"crd:version:v1:storage":                  "true",
	"crd:version:v1:subresources":             "{\"status\":{}}",
	"kind":                                    "type=string",
	"metadata":                                "type=object",
	"spec":                                    "type=object",
	"spec.accessFrom":                         "type=object",
	"spec.accessFrom.namespaceSelectors":      "required type=array",
	"spec.accessFrom.namespaceSelectors[]":    "type=object",
	"spec.accessFrom.namespaceSelectors[].matchLabels":   "type=object",
	"spec.accessFrom.namespaceSelectors[].matchLabels{}": "type=string",
	"spec.certSecretRef":                     "type=object",
	"spec.certSecretRef.name":                "required type=string",
	"spec.insecure":                          "type=boolean",
	"spec.interval":                          "pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$ type=string",
	"spec.passCredentials":                   "type=boolean",
	"spec.provider":                          "default=generic enum=[\"generic\",\"aws\",\"azure\",\"gcp\"] type=string",
	"spec.secretRef":                         "type=object",
	"spec.secretRef.name":                    "required type=string",
	"spec.suspend":                           "type=boolean",
	"spec.timeout":                           "pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m))+$ type=string",
	"spec.type":                              "enum=[\"default\",\"oci\"] type=string",
	"spec.url":                               "required pattern=^(http|https|oci)://.*$ type=string",
	"status":                                 "default={\"observedGeneration\":-1} type=object",
	"status.artifact":                        "type=object",
	"status.artifact.digest":                 "required pattern=^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$ type=string",
	"status.artifact.lastUpdateTime":         "required format=date-time type=string",
	"status.artifact.metadata":               "type=object",
	"status.artifact.metadata{}":             "type=string",
	"status.artifact.path":                   "required type=string",
	"status.artifact.revision":               "required type=string",
	"status.artifact.size":                   "format=int64 type=integer",
	"status.artifact.url":                    "required type=string",
	"status.conditions":                      "type=array",
	"status.conditions[]":                    "type=object",
	"status.conditions[].lastTransitionTime": "required format=date-time type=string",
	"status.conditions[].message":            "required maxLength=32768 type=string",
	"status.conditions[].observedGeneration": "format=int64 minimum=0 type=integer",
	"status.conditions[].reason":             "required maxLength=1024 minLength=1 pattern=^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$ type=string",
	"status.conditions[].status":             "required enum=[\"True\",\"False\",\"Unknown\"] type=string",
	"status.conditions[].type":               "required maxLength=316 pattern=^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$ type=string",
	"status.lastHandledReconcileAt":          "type=string",
	"status.observedGeneration":              "format=int64 type=integer",
	"status.url":                             "type=string",
}

func TestHelmRepositoryCRDMatchesFlux(t *testing.T) {
	compareFacts(t, fluxHelmRepository, crdFacts(t, "source.toolkit.fluxcd.io_helmrepositories.yaml"))
}
