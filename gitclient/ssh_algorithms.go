package gitclient

import "golang.org/x/crypto/ssh"

// SSHAlgorithms are the source-controller's --ssh-kex-algos and
// --ssh-hostkey-algos: the algorithms every SSH connection offers, most
// preferred first. An empty list keeps the default: Go's key exchanges, and
// the host key algorithms of the known_hosts entries for the host (so that
// the server presents a key known_hosts can check). A set host key list
// replaces the known_hosts one, as in Flux: the host key is still checked
// against known_hosts, so a list without the type of a known key fails.
type SSHAlgorithms struct {
	KeyExchanges []string
	HostKeys     []string
}

// apply sets the lists on one connection's client config.
func (a SSHAlgorithms) apply(c *ssh.ClientConfig) {
	if len(a.KeyExchanges) > 0 {
		c.KeyExchanges = a.KeyExchanges
	}
	if len(a.HostKeys) > 0 {
		c.HostKeyAlgorithms = a.HostKeys
	}
}
