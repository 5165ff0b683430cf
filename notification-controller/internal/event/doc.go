// Package event holds what the notification-controller does to a Flux
// event before it reaches a provider: its identity for deduplication (Key),
// the metadata kept from the emitter (Clean) and the metadata a provider
// receives for one Alert (Combine). Each follows Flux's notification-
// controller, so that a Flux controller's events are treated alike.
package event
