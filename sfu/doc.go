// Package sfu is Lectern's selective forwarding unit: rooms of media built on
// Pion. A participant publishes on one PeerConnection (the client offers)
// and subscribes on another (the server offers), so neither side ever has to
// resolve glare. Each published track has one reader goroutine that reads
// into a reused buffer and hands every packet to the track's down-tracks, one
// per subscriber, which rewrite SSRC, sequence number and timestamp into the
// subscriber's own space and wait for a keyframe before they start.
//
// RTCP: NACKs are generated towards publishers. Each received video layer
// keeps its latest packets in one packet cache shared by all its
// down-tracks (packetcache.go); a subscriber's NACK is answered from it,
// rewritten again under that subscriber's sequence numbers, over RTX when
// the subscriber negotiated it (RFC 4588), within a share of the
// subscriber's bandwidth estimate (nack.go); and a down-track that has
// forwarded nothing yet starts from the latest keyframe held there the
// moment its subscriber's transport comes up, not at the layer's next
// live packet (replay.go), while a keyframe is still asked for (a switch
// or a resume waits for a live keyframe); receiver reports towards publishers come
// from pion/interceptor report, sender reports towards subscribers from
// each subscriber's controller goroutine, all its streams in one compound
// packet a second (senderreport.go), towards WHEP players from
// pion/interceptor report; the TWCC header extension is negotiated with
// publishers and subscribers (not with WHEP players, which have no
// estimator). PLI/FIR from a subscriber, and a subscriber's arrival, ask
// the publisher for a keyframe, rate-limited.
//
// Simulcast: a published video holds up to three layers (RIDs q, h, f, or
// SSRCs of an a=ssrc-group:SIM), each read by its own goroutine; each
// down-track forwards exactly one, switching only at a keyframe of the new
// layer and rewriting SSRC, sequence numbers, timestamps and the VP8
// picture id so that the subscriber sees one stream (downtrack.go,
// rewriter.go, vp8munger.go). Each subscriber PeerConnection has its own
// bandwidth estimator on its TWCC feedback (estimator.go: Lectern's own,
// after GCC, with no goroutine and no allocation per packet); every
// 200 ms its controller divides the estimate among the tracks it receives (allocator.go,
// adaptive.go), bounded by the size the client shows each video at, and
// probes for more with paced padding on the RTX SSRC (probe.go).
// Layers nobody receives are paused at the publisher (dynacast.go), and
// the audio-level extension drives speaker events (speaker.go). What the
// SFU tells clients about all this goes through QualityListener
// (quality.go).
//
// Sending: with the ICE UDP mux (Config.ICEUDPAddr) every peer shares one
// socket, wrapped in batchConn: the writes made during one packet's
// fan-out to its down-tracks are queued and leave in one or a few sendmmsg
// calls when the fan-out ends (batchconn.go), with no timer. On Linux
// that socket is read and written with raw system calls, which do not
// wake the Go runtime's sysmon thread from its sleep at every packet
// (rawudp_linux.go). Padding
// probes are paced by one goroutine per SFU for every subscriber, each
// 5 ms slice one such fan-out (probe.go).
//
// sfu knows nothing of users, money or chat, and imports no other Lectern
// package.
package sfu
