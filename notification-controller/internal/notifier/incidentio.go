package notifier

import (
	"errors"
	"fmt"
	"strings"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/apis/meta"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.IncidentioProvider] = newIncidentio
}

// newIncidentio posts alert events to an incident.io HTTP alert source
// (spec.address, .../v2/alert_events/http/<config id>) with the secret's
// token as a bearer token, as Flux does: an error event fires the alert of
// the object, any other resolves it (the object's UID is the
// deduplication key), and Progressing events are not sent.
func newIncidentio(o Options) (Notifier, error) {
	if _, err := parseURL("incident.io alert source", o.URL); err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, errors.New("empty incident.io API token: set the token key of spec.secretRef")
	}
	return &jsonPoster{opts: o, payload: incidentioAlert,
		auth: func(h map[string][]string) { h["Authorization"] = []string{"Bearer " + o.Token} },
	}, nil
}

func incidentioAlert(e eventv1.Event) (any, bool) {
	if e.HasReason(meta.ProgressingReason) {
		return nil, false
	}
	o := e.InvolvedObject
	status := "resolved"
	if e.Severity == eventv1.EventSeverityError {
		status = "firing"
	}
	metadata := make(map[string]string, len(e.Metadata)+3)
	for k, v := range e.Metadata {
		metadata[k] = v
	}
	metadata["severity"] = e.Severity
	metadata["reason"] = e.Reason
	if e.ReportingController != "" {
		metadata["reportingController"] = e.ReportingController
	}
	alert := map[string]any{
		"title":             fmt.Sprintf("%s/%s.%s: %s", strings.ToLower(o.Kind), o.Name, o.Namespace, e.Reason),
		"status":            status,
		"deduplication_key": string(o.UID),
		"metadata":          metadata,
	}
	if e.Message != "" {
		alert["description"] = e.Message
	}
	return alert, true
}
