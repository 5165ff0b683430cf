// Package receiver serves Receivers: the reconciler reads each Receiver's
// token and publishes its webhook path (/hook/<sha256 of token, name and
// namespace>, as Flux computes it) in status.webhookPath; the server
// (--receiverAddr) verifies calls to those paths as the sender signs them
// and asks the Receiver's resources to reconcile now, by setting
// reconcile.fluxcd.io/requestedAt on them.
package receiver
