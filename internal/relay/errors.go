package relay

import "errors"

var (
	// ErrNoSecret is returned when a server or credentials are asked for
	// without a shared secret.
	ErrNoSecret = errors.New("relay: a shared secret is required")
	// ErrNoListener is returned when no listen address is configured.
	ErrNoListener = errors.New("relay: no UDP, TCP or TLS listen address")
	// ErrPeerRefused is returned to a relay write towards a peer that is
	// not one of this server's media addresses.
	ErrPeerRefused = errors.New("relay: peer is not this server's media address")
	// ErrTCPAllocation refuses RFC 6062 TCP allocations.
	ErrTCPAllocation = errors.New("relay: TCP allocations are not offered")
)
