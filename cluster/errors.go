package cluster

import "errors"

var (
	// ErrFenced is returned by a fenced write for a lesson whose lease
	// this node does not hold (any more).
	ErrFenced = errors.New("cluster: this node no longer holds the lesson's lease")
	// ErrNoNode means no live node can take a lesson (all are at capacity
	// or none has beaten recently).
	ErrNoNode = errors.New("cluster: no live node can take the lesson")
	// ErrConfig is a bad Config.
	ErrConfig = errors.New("cluster: bad configuration")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("cluster: node closed")
)
