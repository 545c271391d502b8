package sfu

import "errors"

// Errors returned by the SFU.
var (
	ErrClosed         = errors.New("sfu: closed")
	ErrForbidden      = errors.New("sfu: not permitted")
	ErrBadSDP         = errors.New("sfu: bad session description")
	ErrUnknownTrack   = errors.New("sfu: unknown track")
	ErrNoOffer        = errors.New("sfu: no subscribe offer is outstanding")
	ErrCodec          = errors.New("sfu: no codec in common with the publisher")
	ErrBadCandidate   = errors.New("sfu: bad ICE candidate")
	ErrNotPublishing  = errors.New("sfu: not publishing")
	ErrNotSubscribing = errors.New("sfu: not subscribing")
)

// Malformed RTCP from a subscriber (dropped, counted; rtcpsink.go).
var (
	errRTCPShort = errors.New("sfu: RTCP packet too short")
	errRTCPType  = errors.New("sfu: RTCP packet of another type")
)
