package sfu

import (
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// DownTrack is one subscriber's copy of a published track: a
// webrtc.TrackLocal whose packets are the publisher's, renumbered into the
// subscriber's own SSRC, sequence-number and timestamp space.
type DownTrack struct {
	id, streamID string
	kind         webrtc.RTPCodecType
	codec        webrtc.RTPCodecParameters // the publisher's codec
	source       atomic.Pointer[Track] // nil while a player has nothing to play

	bound     atomic.Pointer[binding] // nil until negotiated
	connected *atomic.Bool            // the subscriber's transport is up

	mu          sync.Mutex // guards rw and waitKeyframe
	rw          rewriter
	waitKeyframe bool

	sent atomic.Uint64 // packets written
}

type binding struct {
	ssrc uint32
	pt   uint8
	w    webrtc.TrackLocalWriter
}

func newDownTrack(t *Track, streamID string, connected *atomic.Bool) *DownTrack {
	d := &DownTrack{id: t.id, streamID: streamID, kind: t.kind, codec: t.codec, connected: connected}
	d.source.Store(t)
	d.rw.clockRate = t.codec.ClockRate
	d.waitKeyframe = t.kind == webrtc.RTPCodecTypeVideo
	return d
}

// Bind is called by Pion when negotiation completes: it picks the
// negotiated codec that carries the publisher's payloads unchanged.
func (d *DownTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, c := range ctx.CodecParameters() {
		if sameCodec(d.codec.RTPCodecCapability, c.RTPCodecCapability) {
			d.bound.Store(&binding{ssrc: uint32(ctx.SSRC()), pt: uint8(c.PayloadType), w: ctx.WriteStream()})
			if t := d.source.Load(); t != nil {
				t.RequestKeyframe()
			}
			return c, nil
		}
	}
	return webrtc.RTPCodecParameters{}, ErrCodec
}

// Unbind is called by Pion when the sender stops.
func (d *DownTrack) Unbind(webrtc.TrackLocalContext) error {
	d.bound.Store(nil)
	return nil
}

// ID returns the published track's id.
func (d *DownTrack) ID() string { return d.id }

// RID is empty: a subscriber receives one layer.
func (d *DownTrack) RID() string { return "" }

// StreamID returns the publishing participant's id.
func (d *DownTrack) StreamID() string { return d.streamID }

// Kind returns audio or video.
func (d *DownTrack) Kind() webrtc.RTPCodecType { return d.kind }

// PacketsSent counts packets written to the subscriber.
func (d *DownTrack) PacketsSent() uint64 { return d.sent.Load() }

// switchTo moves the down-track onto another published track with the
// same codec (nil: onto nothing). The subscriber's stream continues without
// a gap; video resumes at the new source's next keyframe.
func (d *DownTrack) switchTo(t *Track) bool {
	if t != nil && !sameCodec(d.codec.RTPCodecCapability, t.codec.RTPCodecCapability) {
		return false
	}
	old := d.source.Swap(t)
	if old == t {
		return true
	}
	if old != nil {
		old.removeDown(d)
	}
	d.resync(d.kind == webrtc.RTPCodecTypeVideo)
	if t != nil {
		t.addDown(d)
	}
	return true
}

// resync makes the next forwarded packet continue the output without a
// gap; video then waits for a keyframe.
func (d *DownTrack) resync(waitKeyframe bool) {
	d.mu.Lock()
	d.rw.resync = true
	d.waitKeyframe = d.waitKeyframe || waitKeyframe
	d.mu.Unlock()
}

// writeRTP forwards one packet. scratch belongs to the calling reader
// goroutine and is reused for every down-track, so nothing is allocated.
func (d *DownTrack) writeRTP(pkt *rtp.Packet, scratch *rtp.Header, keyframe bool, now int64) {
	b := d.bound.Load()
	if b == nil || !d.connected.Load() {
		// Until DTLS is up, writes would vanish: a keyframe sent now
		// would be lost and the picture would start broken.
		return
	}
	d.mu.Lock()
	if d.waitKeyframe {
		if !keyframe {
			d.mu.Unlock()
			if t := d.source.Load(); t != nil {
				t.RequestKeyframe()
			}
			return
		}
		d.waitKeyframe = false
		d.rw.resync = true
	}
	seq, ts, ok := d.rw.forward(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, now)
	d.mu.Unlock()
	if !ok {
		return
	}
	ext := scratch.Extensions[:0]
	*scratch = rtp.Header{
		Version:        2,
		Marker:         pkt.Marker,
		PayloadType:    b.pt,
		SequenceNumber: seq,
		Timestamp:      ts,
		SSRC:           b.ssrc,
		Extensions:     ext,
	}
	if _, err := b.w.WriteRTP(scratch, pkt.Payload); err == nil {
		d.sent.Add(1)
	}
}
