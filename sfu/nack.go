package sfu

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// histSize is how many of its latest packets a video down-track remembers
// the origin of, for NACKs: as many as the layer caches hold.
const histSize = cacheSize

// sentRec is where one packet a down-track sent came from: enough to find
// it in its layer's packetCache and rewrite it again exactly as it was
// sent. 16 bytes, where a per-subscriber copy of the packet took 1,500.
type sentRec struct {
	out    uint16 // the subscriber's sequence number
	src    uint16 // the publisher's
	layer  int8
	ok     bool
	tl0Off uint8  // the VP8 munger's offsets when it was sent
	picOff uint16 //
	resent uint16 // when it was last resent, in ms (mod 2^16); 0: never
	ts     uint32 // the subscriber's timestamp
	tries  uint8  // resends so far
	nacked bool   // a NACK has asked for it
}

// resendGap is the least time between two resends of one packet: a
// subscriber repeating its NACK (or a forged flood of them) costs at most
// one resend per packet per gap. The subscriber's round-trip time is
// added when it is known: a resend still on its way is not repeated.
const resendGap = 30 // ms

// srtpReplayWindow is how far behind the newest packet an SRTP receiver
// still accepts one (Pion's default; libsrtp's is larger). A resend on
// the media SSRC further behind is refused as a replay, and the estimator counts
// its transport-wide sequence number as lost: phantom loss that keeps
// the estimate down. Resends over RTX have their own sequence numbers and
// are not bounded so.
const srtpReplayWindow = 64

// maxResends bounds the resends of one packet: on a link that loses the
// resends too, repeating them only adds to the congestion.
const maxResends = 4

// rtxState is what a down-track's RTCP handling needs to resend (one
// goroutine per connection, rtcpsink.go); made on its first NACK.
type rtxState struct {
	pkt   rtp.Packet
	buf   [receiveMTU]byte
	patch []byte
	osn   [receiveMTU + 2]byte // an RTX payload: original sequence number, payload
	hdr   rtp.Header           // the resend's header (a local would escape through WriteRTP)
}

// remember records where the packet sent as seq came from. Called with
// d.mu held.
func (d *DownTrack) remember(seq uint16, l int, src uint16, ts uint32) {
	if d.hist == nil {
		return
	}
	d.hist[seq%histSize] = sentRec{out: seq, src: src, layer: int8(l), ok: true,
		tl0Off: d.vp8.tl0Off, picOff: d.vp8.picOff, ts: ts}
}

// forget drops the history: its packets came from a source no longer
// forwarded. Called with d.mu held.
func (d *DownTrack) forget() {
	if d.hist != nil {
		*d.hist = [histSize]sentRec{}
	}
}

// retransmit answers a subscriber's NACK (RFC 4585 §6.2.1) from the
// shared cache of the layer each lost packet came from, under the
// subscriber's own sequence number and timestamp. Packets too old for the
// cache are not resent. It runs on the connection's SRTCP read goroutine
// (rtcpsink.go).
func (d *DownTrack) retransmit(n *rtcp.TransportLayerNack) {
	b := d.bound.Load()
	src := d.source.Load()
	if b == nil || src == nil || d.hist == nil || !d.connected.Load() || n.MediaSSRC != b.ssrc {
		return
	}
	src.fan.begin()
	defer src.fan.end()
	now := time.Now()
	for _, pair := range n.Nacks {
		more := true
		pair.Range(func(seq uint16) bool {
			more = d.resend(b, src, seq, now)
			return more
		})
		if !more {
			return
		}
	}
}

// resend sends the packet the subscriber knows as seq again; it returns
// false when the subscriber's retransmission budget is spent, so that the
// rest of the NACK is not answered either.
func (d *DownTrack) resend(b *binding, src *Track, seq uint16, now time.Time) bool {
	nowMs := uint16(now.UnixMilli())
	gap := uint16(resendGap)
	if d.rtt != nil {
		gap = uint16(min(resendGap+d.rtt.Load()/1000, 1000))
	}
	rtx := b.hasRTX()
	d.mu.Lock()
	h := &d.hist[seq%histSize]
	r := *h
	behind := d.rw.lastSeq - seq
	if r.ok && r.out == seq && !r.nacked {
		// The first NACK for this packet: a loss (repeats are not).
		h.nacked = true
		if d.nacked != nil {
			d.nacked.Add(1)
		}
	}
	if !r.ok || r.out != seq || r.layer < 0 || int(r.layer) >= maxLayers ||
		r.tries >= maxResends || r.resent != 0 && nowMs-r.resent < gap ||
		!rtx && behind >= srtpReplayWindow {
		d.mu.Unlock()
		return true
	}
	d.mu.Unlock()
	l := src.layers[r.layer].Load()
	if l == nil {
		return true
	}
	if d.rtx == nil {
		d.rtx = &rtxState{}
	}
	x := d.rtx
	if !l.cache.load(r.src, &x.pkt, &x.buf) {
		return true
	}
	if d.limit != nil && !d.limit.allow(len(x.pkt.Payload)+rtpOverhead, now.UnixNano()) {
		return false
	}
	d.mu.Lock()
	if h.out == seq {
		h.resent = max(nowMs, 1)
		h.tries++
	}
	d.mu.Unlock()
	payload := x.pkt.Payload
	if d.ck == codecVP8 {
		payload = vp8Patch(payload, r.picOff, r.tl0Off, &x.patch)
	}
	hdr := &x.hdr
	*hdr = rtp.Header{Version: 2, Marker: x.pkt.Marker, PayloadType: b.pt, SequenceNumber: seq,
		Timestamp: r.ts, SSRC: b.ssrc, Extensions: x.pkt.Extensions[:0]}
	if rtx {
		// RFC 4588 §4: the original sequence number, then the payload,
		// on the RTX SSRC under its own sequence numbers.
		binary.BigEndian.PutUint16(x.osn[:2], seq)
		payload = x.osn[:2+copy(x.osn[2:], payload)]
		hdr.PayloadType, hdr.SSRC, hdr.SequenceNumber = b.rtxPT, b.rtxSSRC, uint16(d.rtxSeq.Add(1))
	}
	if _, err := b.w.WriteRTP(hdr, payload); err == nil {
		d.resent.Add(1)
	}
	return true
}

// rtpOverhead is what a packet costs on the wire beyond its payload, as
// the resend budget counts it: RTP header, a header extension, SRTP's tag.
const rtpOverhead = 12 + 8 + 10

// resendShare is the part of a subscriber's bandwidth estimate that its
// retransmissions may use; resendBurst how much of it may go at once.
// Without a bound, a congested link's NACKs are answered with more
// traffic than the link lost, the congestion feeds itself, and neither
// a switch down nor the climb back once the link clears gets through
// (the repeated resends of a layer's packets saturated a 300 kbps link
// in TestSimulcastFollowsSubscriberBandwidth). Pion's NACK responder
// bounds its resends the same way, by the estimate.
const (
	resendShare       = 0.5
	resendBurst       = 250 * time.Millisecond
	minResendRate     = 64_000    // bits per second, however low the estimate
	defaultResendRate = 2_000_000 // bits per second, without an estimate (players)
)

// resendLimiter is a token bucket over one subscriber's retransmissions,
// shared by its down-tracks.
type resendLimiter struct {
	est *atomic.Int64 // the subscriber's estimate, bits per second; nil: none

	mu     sync.Mutex
	tokens float64 // bytes
	at     int64   // nanoseconds, when tokens was computed
}

// allow takes size bytes from the bucket if they are there.
func (r *resendLimiter) allow(size int, now int64) bool {
	rate := float64(defaultResendRate)
	if r.est != nil {
		rate = max(float64(r.est.Load())*resendShare, minResendRate)
	}
	rate /= 8 // bytes per second
	burst := rate * resendBurst.Seconds()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at == 0 {
		r.tokens = burst
	} else if el := now - r.at; el > 0 {
		r.tokens = min(burst, r.tokens+rate*float64(el)/1e9)
	}
	r.at = now
	if r.tokens < float64(size) {
		return false
	}
	r.tokens -= float64(size)
	return true
}
