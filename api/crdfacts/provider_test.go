package crdfacts_test

import "testing"

// fluxProvider lists Flux's main-branch Provider CRD (from the types of
// notification-controller/api v1.10.0 and fluxcd/pkg/apis/meta v1.38.0), as facts.
var fluxProvider = map[string]string{
	"crd:annotation:kustomize.toolkit.fluxcd.io/substitute": "disabled",
	"crd:group": "notification.toolkit.fluxcd.io",
	"crd:names": "{\"categories\":[\"all\",\"fluxcd\",\"fluxcd-notifications\"],\"kind\":\"Provider\",\"listKind\":\"ProviderList\",\"plural\":\"providers\",\"singular\":\"provider\"}",
	"crd:scope": "Namespaced",
	"crd:version:v1:additionalPrinterColumns":      "[{\"jsonPath\":\".metadata.creationTimestamp\",\"name\":\"Age\",\"type\":\"date\"}]",
	"crd:version:v1:served":                        "true",
	"crd:version:v1:storage":                       "true",
	"crd:version:v1:subresources":                  "{}",
	"crd:version:v1beta3:additionalPrinterColumns": "[{\"jsonPath\":\".metadata.creationTimestamp\",\"name\":\"Age\",\"type\":\"date\"}]",
	"crd:version:v1beta3:deprecated":               "true",
	"crd:version:v1beta3:deprecationWarning":       "v1beta3 Provider is deprecated, upgrade to v1",
	"crd:version:v1beta3:served":                   "true",
	"crd:version:v1beta3:storage":                  "false",
	"crd:version:v1beta3:subresources":             "{}",
	"v1:apiVersion":                                "type=string",
	"v1:kind":                                      "type=string",
	"v1:metadata":                                  "type=object",
	"v1:spec":                                      "type=object x-kubernetes-validations=[{\"message\":\"spec.commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops' provider types\",\"rule\":\"self.type == 'github' || self.type == 'gitlab' || self.type == 'gitea' || self.type == 'bitbucketserver' || self.type == 'bitbucket' || self.type == 'azuredevops' || !has(self.commitStatusExpr)\"}]",
	"v1:spec.address":                              "maxLength=2048 type=string",
	"v1:spec.certSecretRef":                        "type=object",
	"v1:spec.certSecretRef.name":                   "required type=string",
	"v1:spec.channel":                              "maxLength=2048 type=string",
	"v1:spec.commitStatusExpr":                     "type=string",
	"v1:spec.proxySecretRef":                       "type=object",
	"v1:spec.proxySecretRef.name":                  "required type=string",
	"v1:spec.secretRef":                            "type=object",
	"v1:spec.secretRef.name":                       "required type=string",
	"v1:spec.serviceAccountName":                   "type=string",
	"v1:spec.suspend":                              "type=boolean",
	"v1:spec.timeout":                              "pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m))+$ type=string",
	"v1:spec.type":                                 "required enum=[\"slack\",\"discord\",\"msteams\",\"rocket\",\"generic\",\"generic-hmac\",\"github\",\"gitlab\",\"gitea\",\"giteapullrequestcomment\",\"bitbucketserver\",\"bitbucket\",\"azuredevops\",\"googlechat\",\"googlepubsub\",\"webex\",\"sentry\",\"azureeventhub\",\"telegram\",\"lark\",\"matrix\",\"opsgenie\",\"alertmanager\",\"grafana\",\"githubdispatch\",\"githubpullrequestcomment\",\"gitlabmergerequestcomment\",\"pagerduty\",\"datadog\",\"nats\",\"zulip\",\"otel\",\"zoom\",\"incident.io\",\"mastodon\"] type=string",
	"v1:spec.username":                             "maxLength=2048 type=string",
	"v1beta3:apiVersion":                           "type=string",
	"v1beta3:kind":                                 "type=string",
	"v1beta3:metadata":                             "type=object",
	"v1beta3:spec":                                 "type=object x-kubernetes-validations=[{\"message\":\"spec.commitStatusExpr is only supported for the 'github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops' provider types\",\"rule\":\"self.type == 'github' || self.type == 'gitlab' || self.type == 'gitea' || self.type == 'bitbucketserver' || self.type == 'bitbucket' || self.type == 'azuredevops' || !has(self.commitStatusExpr)\"}]",
	"v1beta3:spec.address":                         "maxLength=2048 type=string",
	"v1beta3:spec.certSecretRef":                   "type=object",
	"v1beta3:spec.certSecretRef.name":              "required type=string",
	"v1beta3:spec.channel":                         "maxLength=2048 type=string",
	"v1beta3:spec.commitStatusExpr":                "type=string",
	"v1beta3:spec.interval":                        "pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$ type=string",
	"v1beta3:spec.proxy":                           "maxLength=2048 pattern=^(http|https)://.*$ type=string",
	"v1beta3:spec.proxySecretRef":                  "type=object",
	"v1beta3:spec.proxySecretRef.name":             "required type=string",
	"v1beta3:spec.secretRef":                       "type=object",
	"v1beta3:spec.secretRef.name":                  "required type=string",
	"v1beta3:spec.serviceAccountName":              "type=string",
	"v1beta3:spec.suspend":                         "type=boolean",
	"v1beta3:spec.timeout":                         "pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m))+$ type=string",
	"v1beta3:spec.type":                            "required enum=[\"slack\",\"discord\",\"msteams\",\"rocket\",\"generic\",\"generic-hmac\",\"github\",\"gitlab\",\"gitea\",\"giteapullrequestcomment\",\"bitbucketserver\",\"bitbucket\",\"azuredevops\",\"googlechat\",\"googlepubsub\",\"webex\",\"sentry\",\"azureeventhub\",\"telegram\",\"lark\",\"matrix\",\"opsgenie\",\"alertmanager\",\"grafana\",\"githubdispatch\",\"githubpullrequestcomment\",\"gitlabmergerequestcomment\",\"pagerduty\",\"datadog\",\"nats\",\"zulip\",\"otel\",\"zoom\",\"incident.io\"] type=string",
	"v1beta3:spec.username":                        "maxLength=2048 type=string",
}

func TestProviderCRDMatchesFlux(t *testing.T) {
	compareFacts(t, fluxProvider, crdFacts(t, "notification.toolkit.fluxcd.io_providers.yaml"))
}
