package crdfacts_test

import "testing"

// fluxImageRepository lists Flux's ImageRepository CRD as facts: the schema
// controller-gen makes of the types of image-reflector-controller/api v1.3.0 (with
// fluxcd/pkg/apis/meta and acl), descriptions left out.
var fluxImageRepository = map[string]string{
	"apiVersion": "type=string",
	"crd:annotation:kustomize.toolkit.fluxcd.io/substitute": "disabled",
	"crd:group": "image.toolkit.fluxcd.io",
	"crd:names": "{\"categories\":[\"all\",\"fluxcd\",\"fluxcd-images\"],\"kind\":\"ImageRepository\",\"listKind\":\"ImageRepositoryList\",\"plural\":\"imagerepositories\",\"shortNames\":[\"imgrepo\",\"imagerepo\"],\"singular\":\"imagerepository\"}",
	"crd:scope": "Namespaced",
	"crd:version:v1:additionalPrinterColumns": "[{\"jsonPath\":\".spec.image\",\"name\":\"Image\",\"type\":\"string\"},{\"jsonPath\":\".status.lastScanResult.tagCount\",\"name\":\"Tags\",\"type\":\"string\"},{\"jsonPath\":\".status.conditions[?(@.type==\\\"Ready\\\")].status\",\"name\":\"Ready\",\"type\":\"string\"},{\"jsonPath\":\".status.conditions[?(@.type==\\\"Ready\\\")].message\",\"name\":\"Status\",\"type\":\"string\"},{\"jsonPath\":\".status.lastScanResult.scanTime\",\"name\":\"Last scan\",\"priority\":1,\"type\":\"string\"},{\"jsonPath\":\".metadata.creationTimestamp\",\"name\":\"Age\",\"type\":\"date\"}]",
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
	"spec.exclusionList":                     "default=[\"^.*\\\\.sig$\"] maxItems=25 type=array",
	"spec.exclusionList[]":                   "type=string",
	"spec.image":                             "required type=string",
	"spec.insecure":                          "type=boolean",
	"spec.interval":                          "required pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$ type=string",
	"spec.provider":                          "default=generic enum=[\"generic\",\"aws\",\"azure\",\"gcp\"] type=string",
	"spec.proxySecretRef":                    "type=object",
	"spec.proxySecretRef.name":               "required type=string",
	"spec.secretRef":                         "type=object",
	"spec.secretRef.name":                    "required type=string",
	"spec.serviceAccountName":                "maxLength=253 type=string",
	"spec.suspend":                           "type=boolean",
	"spec.timeout":                           "pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m))+$ type=string",
	"status":                                 "default={\"observedGeneration\":-1} type=object",
	"status.canonicalImageName":              "type=string",
	"status.conditions":                      "type=array",
	"status.conditions[]":                    "type=object",
	"status.conditions[].lastTransitionTime": "required format=date-time type=string",
	"status.conditions[].message":            "required maxLength=32768 type=string",
	"status.conditions[].observedGeneration": "format=int64 minimum=0 type=integer",
	"status.conditions[].reason":             "required maxLength=1024 minLength=1 pattern=^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$ type=string",
	"status.conditions[].status":             "required enum=[\"True\",\"False\",\"Unknown\"] type=string",
	"status.conditions[].type":               "required maxLength=316 pattern=^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$ type=string",
	"status.lastHandledReconcileAt":          "type=string",
	"status.lastScanResult":                  "type=object",
	"status.lastScanResult.latestTags":       "type=array",
	"status.lastScanResult.latestTags[]":     "type=string",
	"status.lastScanResult.revision":         "type=string",
	"status.lastScanResult.scanTime":         "format=date-time type=string",
	"status.lastScanResult.tagCount":         "required type=integer",
	"status.observedExclusionList":           "type=array",
	"status.observedExclusionList[]":         "type=string",
	"status.observedGeneration":              "format=int64 type=integer",
}

func TestImageRepositoryCRDMatchesFlux(t *testing.T) {
	compareFacts(t, fluxImageRepository, crdFacts(t, "image.toolkit.fluxcd.io_imagerepositories.yaml"))
}
