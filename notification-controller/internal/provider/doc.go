// Package provider turns a Provider and the Secrets it names into the
// options of a notifier: the address, credentials, headers, TLS and proxy,
// read as Flux reads them (the secret's address overrides spec.address).
package provider
