package eventserver

import (
	"context"
	"fmt"
	"regexp"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
)

// matchingAlerts lists the Alerts that take e: not suspended, with an event
// source naming its object and severity, its message included and not
// excluded (exclusion wins).
func (s *Server) matchingAlerts(ctx context.Context, e *eventv1.Event) ([]notificationv1beta3.Alert, error) {
	var all notificationv1beta3.AlertList
	if err := s.Client.List(ctx, &all); err != nil {
		return nil, fmt.Errorf("failed listing alerts: %w", err)
	}
	var out []notificationv1beta3.Alert
	for i := range all.Items {
		a := &all.Items[i]
		if a.Spec.Suspend || !s.sourcesMatch(ctx, e, a) {
			continue
		}
		if !s.included(ctx, e.Message, a) || s.excluded(ctx, e.Message, a) {
			continue
		}
		out = append(out, *a)
	}
	return out, nil
}

func (s *Server) sourcesMatch(ctx context.Context, e *eventv1.Event, a *notificationv1beta3.Alert) bool {
	for _, src := range a.Spec.EventSources {
		if src.Namespace == "" {
			src.Namespace = a.Namespace
		}
		if s.sourceMatches(ctx, e, a, src) {
			return true
		}
	}
	return false
}

// sourceMatches compares namespace, kind, severity (an info Alert takes
// every severity) and name (or *), then the object's labels when the
// source has matchLabels (the object is read for them).
func (s *Server) sourceMatches(ctx context.Context, e *eventv1.Event, a *notificationv1beta3.Alert, src notificationv1.CrossNamespaceObjectReference) bool {
	obj := e.InvolvedObject
	if obj.Namespace != src.Namespace || obj.Kind != src.Kind {
		return false
	}
	if e.Severity != a.Spec.EventSeverity && a.Spec.EventSeverity != eventv1.EventSeverityInfo {
		return false
	}
	if src.Name != "*" && src.Name != obj.Name {
		return false
	}
	if src.MatchLabels == nil {
		return true
	}
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(obj.GroupVersionKind())
	if err := s.Client.Get(ctx, client.ObjectKey{Namespace: obj.Namespace, Name: obj.Name}, meta); err != nil {
		logr.FromContextOrDiscard(ctx).Error(err, "error getting the involved object")
		s.Events.Eventf(a, nil, corev1.EventTypeWarning, notificationv1.SourceFetchFailedReason, "Dispatch",
			"error getting source object %s/%s/%s", obj.Kind, obj.Namespace, obj.Name)
		return false
	}
	return labels.SelectorFromSet(src.MatchLabels).Matches(labels.Set(meta.GetLabels()))
}

// included: no inclusion list, or a match of one of its expressions.
func (s *Server) included(ctx context.Context, msg string, a *notificationv1beta3.Alert) bool {
	if len(a.Spec.InclusionList) == 0 {
		return true
	}
	return s.anyMatch(ctx, msg, a, a.Spec.InclusionList, "inclusion")
}

func (s *Server) excluded(ctx context.Context, msg string, a *notificationv1beta3.Alert) bool {
	return s.anyMatch(ctx, msg, a, a.Spec.ExclusionList, "exclusion")
}

// anyMatch tells whether msg matches one of exprs; an expression that does
// not compile matches nothing and is reported on the Alert.
func (s *Server) anyMatch(ctx context.Context, msg string, a *notificationv1beta3.Alert, exprs []string, list string) bool {
	for _, expr := range exprs {
		re, err := regexp.Compile(expr)
		if err != nil {
			logr.FromContextOrDiscard(ctx).Error(err, fmt.Sprintf("failed to compile %s regex: %s", list, expr), "alert", client.ObjectKeyFromObject(a))
			s.Events.Eventf(a, nil, corev1.EventTypeWarning, notificationv1.InvalidConfigReason, "Dispatch",
				"failed to compile %s regex: %s", list, expr)
			continue
		}
		if re.MatchString(msg) {
			return true
		}
	}
	return false
}
