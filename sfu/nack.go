package sfu

import (
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
}

// resendGap is the least time between two resends of one packet: a
// subscriber repeating its NACK (or a forged flood of them) costs at most
// one resend per packet per gap.
const resendGap = 30 // ms

// rtxState is what a down-track's RTCP goroutine needs to resend; made on
// its first NACK.
type rtxState struct {
	pkt   rtp.Packet
	buf   [receiveMTU]byte
	patch []byte
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
// cache are not resent. It runs on the down-track's RTCP goroutine.
func (d *DownTrack) retransmit(n *rtcp.TransportLayerNack) {
	b := d.bound.Load()
	src := d.source.Load()
	if b == nil || src == nil || d.hist == nil || !d.connected.Load() {
		return
	}
	src.fan.begin()
	defer src.fan.end()
	nowMs := uint16(time.Now().UnixMilli())
	for _, pair := range n.Nacks {
		pair.Range(func(seq uint16) bool {
			d.resend(b, src, seq, nowMs)
			return true
		})
	}
}

func (d *DownTrack) resend(b *binding, src *Track, seq uint16, nowMs uint16) {
	d.mu.Lock()
	h := &d.hist[seq%histSize]
	r := *h
	if !r.ok || r.out != seq || r.layer < 0 || int(r.layer) >= maxLayers ||
		r.resent != 0 && nowMs-r.resent < resendGap {
		d.mu.Unlock()
		return
	}
	h.resent = max(nowMs, 1)
	d.mu.Unlock()
	l := src.layers[r.layer].Load()
	if l == nil {
		return
	}
	if d.rtx == nil {
		d.rtx = &rtxState{}
	}
	x := d.rtx
	if !l.cache.load(r.src, &x.pkt, &x.buf) {
		return
	}
	payload := x.pkt.Payload
	if d.ck == codecVP8 {
		payload = vp8Patch(payload, r.picOff, r.tl0Off, &x.patch)
	}
	hdr := rtp.Header{Version: 2, Marker: x.pkt.Marker, PayloadType: b.pt, SequenceNumber: seq,
		Timestamp: r.ts, SSRC: b.ssrc, Extensions: x.pkt.Extensions[:0]}
	if _, err := b.w.WriteRTP(&hdr, payload); err == nil {
		d.resent.Add(1)
	}
}
