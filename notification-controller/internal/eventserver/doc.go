// Package eventserver is the notification-controller's event endpoint
// (--events-addr): it takes Flux's event JSON at any path, drops equal
// events within the rate-limit interval, and hands each event to every
// Alert that matches it, for its Provider to send. Answers are Flux's: 202
// accepted (matched or not), 400 not an event, 413 too large, 429 a
// duplicate. Sending happens after the answer, so a slow or failing
// provider never holds up the emitting controller.
package eventserver
