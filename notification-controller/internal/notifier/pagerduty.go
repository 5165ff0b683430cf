package notifier

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/apis/meta"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

func init() {
	constructors[notificationv1.PagerDutyProvider] = newPagerDuty
}

// pagerDuty sends Events API v2 events to the host of spec.address with
// spec.channel as routing key: an error triggers an incident keyed by the
// object's UID, anything else resolves it, and an info event is also sent
// as a change event, as Flux does.
type pagerDuty struct {
	opts Options
	host string
	key  string
}

func newPagerDuty(o Options) (Notifier, error) {
	u, err := parseURL("PagerDuty", o.URL)
	if err != nil {
		return nil, err
	}
	// Only the scheme and host count: the paths are the API's.
	return &pagerDuty{opts: o, host: u.Scheme + "://" + u.Host, key: o.Channel}, nil
}

func (p *pagerDuty) Post(ctx context.Context, e eventv1.Event) error {
	// Progress is neither a success nor a failure.
	if e.Reason == meta.ProgressingReason {
		return nil
	}
	if err := p.send(ctx, "/v2/enqueue", p.alertEvent(e)); err != nil {
		return fmt.Errorf("failed sending event: %w", err)
	}
	if e.Severity == eventv1.EventSeverityInfo {
		if err := p.send(ctx, "/v2/change/enqueue", p.changeEvent(e)); err != nil {
			return fmt.Errorf("failed sending change event: %w", err)
		}
	}
	return nil
}

func (p *pagerDuty) send(ctx context.Context, path string, payload any) error {
	req, err := jsonRequest(p.host+path, payload)
	if err != nil {
		return err
	}
	req.method = http.MethodPost
	_, err = do(ctx, p.opts, req)
	return err
}

// summary is "<reason in words>: <kind>/<name>", in lower case.
func pagerDutySummary(e eventv1.Event) string {
	reason := strings.ToLower(strings.Join(splitCamelCase(e.Reason), " "))
	return reason + ": " + strings.ToLower(e.InvolvedObject.Kind+"/"+e.InvolvedObject.Name)
}

func pagerDutyDetails(e eventv1.Event) map[string]any {
	return map[string]any{"message": e.Message, "metadata": e.Metadata}
}

func (p *pagerDuty) alertEvent(e eventv1.Event) map[string]any {
	ev := map[string]any{"routing_key": p.key, "event_action": "resolve"}
	if uid := string(e.InvolvedObject.UID); uid != "" {
		ev["dedup_key"] = uid
	}
	if e.Severity == eventv1.EventSeverityError {
		ev["event_action"] = "trigger"
		payload := map[string]any{
			"summary":        pagerDutySummary(e),
			"source":         "Flux " + e.ReportingController,
			"severity":       "error",
			"timestamp":      e.Timestamp.Format(time.RFC3339),
			"custom_details": pagerDutyDetails(e),
		}
		if e.InvolvedObject.Name != "" {
			payload["component"] = e.InvolvedObject.Name
		}
		if e.InvolvedObject.Kind != "" {
			payload["group"] = e.InvolvedObject.Kind
		}
		ev["payload"] = payload
	}
	return ev
}

func (p *pagerDuty) changeEvent(e eventv1.Event) map[string]any {
	return map[string]any{
		"routing_key": p.key,
		"payload": map[string]any{
			"summary":        pagerDutySummary(e),
			"source":         "Flux " + e.ReportingController,
			"timestamp":      e.Timestamp.Format(time.RFC3339),
			"custom_details": pagerDutyDetails(e),
		},
		"links": nil,
	}
}
