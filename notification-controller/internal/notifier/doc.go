// Package notifier sends one Flux event to one service, in the request
// shape Flux's notification-controller uses for that service, so that a
// receiver set up for Flux (a chat webhook, a generic endpoint checking
// X-Signature, a commit status check) sees the same requests from Tide.
// Each provider type is a file; New picks one from a Provider's type.
package notifier
