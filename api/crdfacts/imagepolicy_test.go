package crdfacts_test

import "testing"

// fluxImagePolicy lists Flux's ImagePolicy CRD as facts: the schema
// controller-gen makes of the types of image-reflector-controller/api v1.3.0 (with
// fluxcd/pkg/apis/meta and acl), descriptions left out.
var fluxImagePolicy = map[string]string{
	"apiVersion": "type=string",
	"crd:annotation:kustomize.toolkit.fluxcd.io/substitute": "disabled",
	"crd:group": "image.toolkit.fluxcd.io",
	"crd:names": "{\"categories\":[\"all\",\"fluxcd\",\"fluxcd-images\"],\"kind\":\"ImagePolicy\",\"listKind\":\"ImagePolicyList\",\"plural\":\"imagepolicies\",\"shortNames\":[\"imgpol\",\"imagepol\"],\"singular\":\"imagepolicy\"}",
	"crd:scope": "Namespaced",
	"crd:version:v1:additionalPrinterColumns": "[{\"jsonPath\":\".status.latestRef.name\",\"name\":\"Image\",\"type\":\"string\"},{\"jsonPath\":\".status.latestRef.tag\",\"name\":\"Tag\",\"type\":\"string\"},{\"jsonPath\":\".status.conditions[?(@.type==\\\"Ready\\\")].status\",\"name\":\"Ready\",\"type\":\"string\"},{\"jsonPath\":\".status.conditions[?(@.type==\\\"Ready\\\")].message\",\"name\":\"Status\",\"type\":\"string\"},{\"jsonPath\":\".metadata.creationTimestamp\",\"name\":\"Age\",\"type\":\"date\"}]",
	"crd:version:v1:served":                   "true",
	"crd:version:v1:storage":                  "true",
	"crd:version:v1:subresources":             "{\"status\":{}}",
	"kind":                                    "type=string",
	"metadata":                                "type=object",
	"spec":                                    "type=object x-kubernetes-validations=[{\"message\":\"spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'\",\"rule\":\"!has(self.interval) || (has(self.digestReflectionPolicy) && self.digestReflectionPolicy == 'Always')\"},{\"message\":\"spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'\",\"rule\":\"has(self.interval) || !has(self.digestReflectionPolicy) || self.digestReflectionPolicy != 'Always'\"}]",
	"spec.digestReflectionPolicy":             "default=Never enum=[\"Always\",\"IfNotPresent\",\"Never\"] type=string",
	"spec.filterTags":                         "type=object",
	"spec.filterTags.extract":                 "type=string",
	"spec.filterTags.pattern":                 "type=string",
	"spec.imageRepositoryRef":                 "required type=object",
	"spec.imageRepositoryRef.name":            "required type=string",
	"spec.imageRepositoryRef.namespace":       "type=string",
	"spec.interval":                           "pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$ type=string",
	"spec.policy":                             "required type=object",
	"spec.policy.alphabetical":                "type=object",
	"spec.policy.alphabetical.order":          "default=asc enum=[\"asc\",\"desc\"] type=string",
	"spec.policy.numerical":                   "type=object",
	"spec.policy.numerical.order":             "default=asc enum=[\"asc\",\"desc\"] type=string",
	"spec.policy.semver":                      "type=object",
	"spec.policy.semver.range":                "required type=string",
	"spec.suspend":                            "type=boolean",
	"status":                                  "default={\"observedGeneration\":-1} type=object",
	"status.conditions":                       "type=array",
	"status.conditions[]":                     "type=object",
	"status.conditions[].lastTransitionTime":  "required format=date-time type=string",
	"status.conditions[].message":             "required maxLength=32768 type=string",
	"status.conditions[].observedGeneration":  "format=int64 minimum=0 type=integer",
	"status.conditions[].reason":              "required maxLength=1024 minLength=1 pattern=^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$ type=string",
	"status.conditions[].status":              "required enum=[\"True\",\"False\",\"Unknown\"] type=string",
	"status.conditions[].type":                "required maxLength=316 pattern=^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$ type=string",
	"status.lastHandledReconcileAt":           "type=string",
	"status.latestRef":                        "type=object",
	"status.latestRef.digest":                 "type=string",
	"status.latestRef.name":                   "required type=string",
	"status.latestRef.tag":                    "required type=string",
	"status.observedGeneration":               "format=int64 type=integer",
	"status.observedPreviousRef":              "type=object",
	"status.observedPreviousRef.digest":       "type=string",
	"status.observedPreviousRef.name":         "required type=string",
	"status.observedPreviousRef.tag":          "required type=string",
}

func TestImagePolicyCRDMatchesFlux(t *testing.T) {
	compareFacts(t, fluxImagePolicy, crdFacts(t, "image.toolkit.fluxcd.io_imagepolicies.yaml"))
}
