package notifier

import (
	"errors"
	"fmt"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.DataDogProvider] = newDataDog
}

// newDataDog creates an event through the v1 events API of the site of
// spec.address (https://api.datadoghq.com, .eu, ...), with the API key of
// the secret's token in DD-API-KEY; the event is tagged with the
// controller, the reason, the object (as kube_* tags) and the metadata, all
// in lower case, as Flux does.
func newDataDog(o Options) (Notifier, error) {
	if o.Token == "" {
		return nil, errors.New("token cannot be empty: set the token key of spec.secretRef to the Datadog API key")
	}
	u, err := parseURL("Datadog", o.URL)
	if err != nil {
		return nil, err
	}
	target := o
	target.URL = u.Scheme + "://" + u.Host + "/api/v1/events"
	return &jsonPoster{opts: target,
		payload: func(e eventv1.Event) (any, bool) {
			alert := "info"
			if e.Severity == eventv1.EventSeverityError {
				alert = "error"
			}
			return map[string]any{
				"title":            fmt.Sprintf("Events from the %s %s/%s", e.InvolvedObject.Kind, e.InvolvedObject.Name, e.InvolvedObject.Namespace),
				"text":             e.Message,
				"tags":             dataDogTags(e),
				"source_type_name": "fluxcd",
				"date_happened":    e.Timestamp.Unix(),
				"alert_type":       alert,
			}, true
		},
		auth: func(h map[string][]string) {
			h["Dd-Api-Key"] = []string{o.Token}
			h["Accept"] = []string{"application/json"}
		},
	}, nil
}

func dataDogTags(e eventv1.Event) []string {
	tags := []string{
		"flux_reporting_controller:" + e.ReportingController,
		"flux_reason:" + e.Reason,
		"kube_kind:" + e.InvolvedObject.Kind,
		"kube_name:" + e.InvolvedObject.Name,
		"kube_namespace:" + e.InvolvedObject.Namespace,
	}
	for _, k := range sortedKeys(e.Metadata) {
		tags = append(tags, k+":"+e.Metadata[k])
	}
	for i := range tags {
		tags[i] = strings.ToLower(tags[i])
	}
	return tags
}
