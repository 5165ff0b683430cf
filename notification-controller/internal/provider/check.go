package provider

import (
	"context"
	"errors"

	"github.com/fluxcd/pkg/runtime/events"
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	notificationv1beta3 "github.com/tidegitops/tide/api/notification/v1beta3"
	"github.com/tidegitops/tide/notification-controller/internal/notifier"
)

// +kubebuilder:rbac:groups=notification.toolkit.fluxcd.io,resources=alerts;providers,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch

// Checker checks each Provider when it is created or changed, and reports
// what would stop it from sending (a type Tide lacks, an invalid address, a
// missing Secret or key) as a Warning event and a log line at once, instead
// of at the first event. Flux's v1beta3 Provider has no status to hold it.
type Checker struct {
	client.Client
	Events events.Recorder
}

// SetupWithManager watches Providers' generations.
func (c *Checker) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named("provider-check").
		For(&notificationv1beta3.Provider{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Complete(c)
}

// Reconcile checks one Provider.
func (c *Checker) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	p := &notificationv1beta3.Provider{}
	if err := c.Get(ctx, req.NamespacedName, p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if p.Spec.Suspend {
		return ctrl.Result{}, nil
	}
	if err := Check(ctx, c.Client, p); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "provider cannot send notifications")
		c.Events.Eventf(p, nil, corev1.EventTypeWarning, notificationv1.ValidationFailedReason, "Validate", "%s", err.Error())
	}
	return ctrl.Result{}, nil
}

// Check builds the Provider's notifier without sending anything.
func Check(ctx context.Context, c client.Reader, p *notificationv1beta3.Provider) error {
	o, err := Options(ctx, c, p)
	if err != nil {
		return err
	}
	if notifier.IsCommitStatusType(p.Spec.Type) {
		o.CommitStatus = "check" // computed per event
	}
	if _, err := notifier.New(p.Spec.Type, o); err != nil {
		msg := err.Error()
		for _, secret := range o.Secrets() {
			msg = maskToken(msg, secret)
		}
		return errors.New(msg)
	}
	return nil
}
