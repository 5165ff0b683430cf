// Package natsserver runs a NATS server (nats-server, the real one) in the
// test process, with optional user/password auth and TLS, and subscribes to
// subjects on it, so a test sees exactly what a NATS subscriber would. It is
// its own package so that tests which need no NATS server do not link one.
package natsserver
