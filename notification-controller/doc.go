// Package notificationcontroller is Tide's notification-controller: it
// receives the events of Flux (and Tide) controllers and forwards them to
// chat, incident and Git services as Alerts and Providers say, and serves
// Receivers, webhooks that ask objects to reconcile at once.
package notificationcontroller
