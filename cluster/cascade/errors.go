package cascade

import "errors"

var (
	// ErrUnauthorized: a relay request without a valid signature of the
	// cluster's shared secret.
	ErrUnauthorized = errors.New("cascade: relay request not signed by a cluster node")
	// ErrNotOrigin: the node asked for a lesson's media does not serve it.
	ErrNotOrigin = errors.New("cascade: this node is not the lesson's origin")
	// ErrClosed: the relay has been closed.
	ErrClosed = errors.New("cascade: relay closed")
	// ErrSelf: an edge was asked to relay a lesson this node is the
	// origin of.
	ErrSelf = errors.New("cascade: this node is the lesson's origin")
	// ErrMediaEnded: the relay's PeerConnection failed or closed.
	ErrMediaEnded = errors.New("cascade: the relay's media connection ended")
	// ErrBadMessage: the other node sent something the relay protocol does
	// not know.
	ErrBadMessage = errors.New("cascade: bad relay message")
)
