// Package sfu is Lectern's selective forwarding unit: rooms of media built on
// Pion. A participant publishes on one PeerConnection (the client offers)
// and subscribes on another (the server offers), so neither side ever has to
// resolve glare. Each published track has one reader goroutine that reads
// into a reused buffer and hands every packet to the track's down-tracks, one
// per subscriber, which rewrite SSRC, sequence number and timestamp into the
// subscriber's own space and wait for a keyframe before they start.
//
// RTCP: NACKs are generated towards publishers and answered to subscribers
// from Pion's per-sender packet cache (pion/interceptor nack); receiver and
// sender reports come from pion/interceptor report; the TWCC header extension
// is negotiated in both directions. PLI/FIR from a subscriber, and a
// subscriber's arrival, ask the publisher for a keyframe, rate-limited.
//
// sfu knows nothing of users, money or chat, and imports no other Lectern
// package.
package sfu
