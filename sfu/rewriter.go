package sfu

// rewriter maps the sequence numbers and timestamps of whichever source a
// down-track currently forwards into the down-track's own continuous space.
// A switch of source (a new SSRC, a new simulcast layer, or a resume after a
// pause) continues the output one sequence number after the last one sent,
// and the timestamp by the wall-clock time that passed, so that the
// subscriber sees one unbroken stream. Packets from before the latest switch
// or deliberate drop are refused, since their output numbers would collide.
//
// A rewriter is not safe for concurrent use.
type rewriter struct {
	started   bool
	resync    bool   // the next packet starts a new mapping
	srcSSRC   uint32 // the source being forwarded
	clockRate uint32

	seqOffset uint16 // out = in + seqOffset (mod 2^16)
	tsOffset  uint32 // out = in + tsOffset (mod 2^32)
	highIn    uint16 // newest input sequence number seen
	floorIn   uint16 // inputs at or before this are refused

	lastSeq uint16 // newest output sequence number
	lastTS  uint32 // its timestamp
	lastAt  int64  // when it was sent, in nanoseconds
}

// seqNewer reports whether a is after b in RFC 3550's modular order.
func seqNewer(a, b uint16) bool { return a != b && a-b < 0x8000 }

// forward maps one input packet. ok is false when the packet must be
// dropped.
func (r *rewriter) forward(ssrc uint32, seq uint16, ts uint32, now int64) (outSeq uint16, outTS uint32, ok bool) {
	if !r.started || r.resync || ssrc != r.srcSSRC {
		if r.started {
			r.seqOffset = r.lastSeq + 1 - seq
			r.tsOffset = r.lastTS + max(r.elapsedTS(now), 1) - ts
		}
		r.started, r.resync, r.srcSSRC = true, false, ssrc
		r.highIn, r.floorIn = seq, seq-1
		r.lastSeq, r.lastTS, r.lastAt = seq+r.seqOffset, ts+r.tsOffset, now
		return r.lastSeq, r.lastTS, true
	}
	if seqNewer(seq, r.highIn) {
		r.highIn = seq
	} else if !seqNewer(seq, r.floorIn) {
		return 0, 0, false
	}
	outSeq, outTS = seq+r.seqOffset, ts+r.tsOffset
	if seqNewer(outSeq, r.lastSeq) {
		r.lastSeq, r.lastTS, r.lastAt = outSeq, outTS, now
	}
	return outSeq, outTS, true
}

// elapsedTS is the RTP time that passed between the newest packet sent
// and now: 0 if the clock rate is unknown or the clock went back.
func (r *rewriter) elapsedTS(now int64) uint32 {
	el := now - r.lastAt
	if el <= 0 || r.clockRate == 0 {
		return 0
	}
	return uint32(uint64(el) * uint64(r.clockRate) / 1e9)
}

// drop records that the input packet seq of the current source is
// deliberately not forwarded, so that the output stays gapless.
func (r *rewriter) drop(ssrc uint32, seq uint16) {
	if !r.started || r.resync || ssrc != r.srcSSRC || !seqNewer(seq, r.highIn) {
		return
	}
	// Inputs skipped between highIn and seq were lost upstream; only seq
	// itself is removed from the output.
	r.highIn, r.floorIn = seq, seq
	r.seqOffset--
}
