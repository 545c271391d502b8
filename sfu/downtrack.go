package sfu

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// DownTrack is one subscriber's copy of a published track: a
// webrtc.TrackLocal whose packets are one layer of the publisher's,
// renumbered into the subscriber's own SSRC, sequence-number, timestamp
// and VP8 picture-id space. A change of layer happens at a keyframe of the
// new layer, so the subscriber sees one continuous stream.
type DownTrack struct {
	id, streamID string
	pinned       bool // a relay's layer stream: its target never changes (relay.go)
	kind         webrtc.RTPCodecType
	codec        webrtc.RTPCodecParameters // the publisher's codec
	ck           codecKind
	source       atomic.Pointer[Track] // nil while a player has nothing to play

	bound     atomic.Pointer[binding] // nil until negotiated
	connected *atomic.Bool            // the subscriber's transport is up

	// target is the layer wanted (set by the allocator, or layerAuto);
	// curLayer mirrors cur for readers outside the lock.
	target   atomic.Int32
	curLayer atomic.Int32

	mu           sync.Mutex // guards cur, rw, vp8, waitKeyframe and started
	cur          int32      // layer being forwarded, layerNone if none
	rw           rewriter
	vp8          vp8Munger
	waitKeyframe bool
	// started is set once a frame has been forwarded: from then on the
	// down-track waits for live keyframes and never replays a cached one
	// (after a switch or a pause the cache may hold a picture older than
	// those the subscriber has seen, which breaks its picture-id order).
	started bool

	// bufs[i] holds the copy of a layer-i payload whose VP8 picture id
	// was rewritten; only layer i's reader uses it.
	bufs [maxLayers][]byte

	// routes sends the connection's RTCP for the down-track's SSRCs to it
	// once bound (nil: not routed; rtcpsink.go).
	routes *rtcpRoutes

	// hist says where each of the latest packets sent came from (video
	// only; guarded by mu); rtx belongs to the connection's RTCP reader
	// (rtcpsink.go).
	hist *[histSize]sentRec
	rtx  *rtxState
	// limit bounds the resends of the subscriber's connection; rtt is its
	// round-trip time in microseconds (nil: unknown).
	limit *resendLimiter
	rtt   *atomic.Int64
	// nacked counts the distinct packets the subscriber's NACKs ask for
	// (nil: not counted), vsent what its video down-tracks sent: the
	// controller's sign that a probe is hurting (adaptive.go).
	nacked, vsent *atomic.Uint64
	// rtxSeq numbers what is sent on the RTX SSRC (padding probes).
	rtxSeq atomic.Uint32

	sent     atomic.Uint64 // packets written
	resent   atomic.Uint64 // packets retransmitted on a NACK
	replays  atomic.Uint64 // starts from a layer's cached keyframe
	bytes    atomic.Uint64 // payload bytes written
	switches atomic.Uint64 // layer changes made at a keyframe

	ctr       *counters   // its SFU's figures (never nil)
	created   int64       // UnixNano at creation, for the first-frame figure
	firstDone atomic.Bool // the first frame has been counted

	alloc allocState // owned by the subscriber's allocator goroutine
}

type binding struct {
	ssrc uint32
	pt   uint8
	w    webrtc.TrackLocalWriter
	// rtxSSRC and rtxPT carry retransmissions and padding (RFC 4588);
	// 0 when the subscriber did not negotiate RTX.
	rtxSSRC uint32
	rtxPT   uint8
}

// hasRTX reports whether b (nil: unbound) can carry RTX packets.
func (b *binding) hasRTX() bool { return b != nil && b.rtxPT != 0 && b.rtxSSRC != 0 }

func newDownTrack(t *Track, streamID string, connected *atomic.Bool) *DownTrack {
	d := newPlayerDownTrack(t.id, streamID, t.kind, t.codec, connected, t.ctr)
	d.source.Store(t)
	d.target.Store(0) // the lowest layer first: the fastest first frame
	return d
}

func newPlayerDownTrack(id, stream string, kind webrtc.RTPCodecType, c webrtc.RTPCodecParameters, connected *atomic.Bool, ctr *counters) *DownTrack {
	d := &DownTrack{id: id, streamID: stream, kind: kind, codec: c, ck: kindOfCodec(c.MimeType), connected: connected, cur: layerNone, ctr: ctrOf(ctr)}
	d.rw.clockRate = c.ClockRate
	d.waitKeyframe = kind == webrtc.RTPCodecTypeVideo
	if kind == webrtc.RTPCodecTypeVideo {
		d.hist = new([histSize]sentRec)
	}
	d.target.Store(layerAuto)
	d.curLayer.Store(layerNone)
	d.alloc.init()
	d.created = time.Now().UnixNano()
	return d
}

// Bind is called by Pion when negotiation completes: it picks the
// negotiated codec that carries the publisher's payloads unchanged.
func (d *DownTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, c := range ctx.CodecParameters() {
		if sameCodec(d.codec.RTPCodecCapability, c.RTPCodecCapability) {
			b := &binding{ssrc: uint32(ctx.SSRC()), pt: uint8(c.PayloadType), w: ctx.WriteStream()}
			if b.rtxSSRC = uint32(ctx.SSRCRetransmission()); b.rtxSSRC != 0 {
				b.rtxPT = rtxPayloadType(ctx.CodecParameters(), c.PayloadType)
			}
			d.bound.Store(b)
			if d.routes != nil {
				d.routes.add(d, b.ssrc, b.rtxSSRC)
			}
			d.requestKeyframe()
			return c, nil
		}
	}
	return webrtc.RTPCodecParameters{}, ErrCodec
}

// rtxPayloadType returns the negotiated RTX payload type that repairs pt,
// 0 if none.
func rtxPayloadType(cs []webrtc.RTPCodecParameters, pt webrtc.PayloadType) uint8 {
	apt := strconv.Itoa(int(pt))
	for _, c := range cs {
		if strings.EqualFold(c.MimeType, webrtc.MimeTypeRTX) && fmtpValue(c.SDPFmtpLine, "apt") == apt {
			return uint8(c.PayloadType)
		}
	}
	return 0
}

// Unbind is called by Pion when the sender stops.
func (d *DownTrack) Unbind(webrtc.TrackLocalContext) error {
	d.bound.Store(nil)
	if d.routes != nil {
		d.routes.remove(d)
	}
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

// Layer returns the layer being forwarded (-1: none).
func (d *DownTrack) Layer() int { return int(d.curLayer.Load()) }

// TargetLayer returns the layer the down-track is moving to (-1: none).
func (d *DownTrack) TargetLayer() int { return int(d.target.Load()) }

// Switches counts the layer changes made so far.
func (d *DownTrack) Switches() uint64 { return d.switches.Load() }

// requestKeyframe asks the source for a keyframe of the one layer this
// down-track forwards, or will forward next; a subscriber joining or losing
// a picture must not cost the publisher a keyframe on every layer.
func (d *DownTrack) requestKeyframe() {
	t := d.source.Load()
	if t == nil {
		return
	}
	l := d.curLayer.Load()
	if l < 0 {
		l = d.target.Load()
	}
	if l == layerAuto {
		l = t.top.Load()
	}
	if l < 0 {
		return // paused or hidden: nothing to ask for
	}
	t.requestLayerKeyframe(int(l))
}

// setTarget chooses the layer to forward; the change happens at the next
// keyframe of that layer, which is asked for at once.
func (d *DownTrack) setTarget(l int32) {
	if d.target.Swap(l) == l || l < 0 {
		return
	}
	if l != d.curLayer.Load() {
		if t := d.source.Load(); t != nil {
			t.requestLayerKeyframe(int(l))
		}
	}
}

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
	d.mu.Lock()
	d.cur = layerNone
	d.curLayer.Store(layerNone)
	d.forget()
	d.mu.Unlock()
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
	d.vp8.resync = true
	d.waitKeyframe = d.waitKeyframe || waitKeyframe
	d.mu.Unlock()
}

// skip accounts for a padding-only packet of layer l that is not
// forwarded, so that the output stays gapless.
func (d *DownTrack) skip(l int, pkt *rtp.Packet) {
	d.mu.Lock()
	if d.cur == int32(l) {
		d.rw.drop(pkt.SSRC, pkt.SequenceNumber)
	}
	d.mu.Unlock()
}

// writeRTP forwards one packet of layer l, or drops it when the
// down-track is on another layer. A switch to the target layer happens at
// its keyframe. scratch belongs to the calling reader goroutine and is
// reused for every down-track, so nothing is allocated.
func (d *DownTrack) writeRTP(l int, pkt *rtp.Packet, scratch *rtp.Header, keyframe bool, now int64) {
	d.write(l, pkt, scratch, keyframe, now, true)
}

// write is writeRTP; mayReplay lets a down-track waiting for a keyframe
// of layer l start at once from l's cached one (replay.go).
func (d *DownTrack) write(l int, pkt *rtp.Packet, scratch *rtp.Header, keyframe bool, now int64, mayReplay bool) {
	b := d.bound.Load()
	if b == nil || !d.connected.Load() {
		// Until DTLS is up, writes would vanish: a keyframe sent now
		// would be lost and the picture would start broken.
		return
	}
	src := d.source.Load()
	want := d.target.Load()
	if want == layerAuto && src != nil {
		want = src.top.Load()
	}
	layer := int32(l)
	if layer != want && layer != d.curLayer.Load() {
		// Neither forwarded nor wanted (another simulcast layer): drop
		// it without the lock, which the forwarded layer's reader holds
		// across its writes. Only this layer's reader makes it current,
		// so the check under the lock below would drop it too.
		return
	}
	d.mu.Lock()
	switch {
	case layer != d.cur:
		if layer != want {
			d.mu.Unlock()
			return
		}
		if !keyframe {
			replay := mayReplay && !d.started
			d.mu.Unlock()
			d.waitKeyframeOf(src, l, pkt, scratch, now, replay)
			return
		}
		if d.cur != layerNone {
			d.switches.Add(1)
			d.ctr.switches.Add(1)
		} else {
			d.firstFrame(now)
		}
		d.cur = layer
		d.curLayer.Store(layer)
		d.started = true
		d.waitKeyframe = false
		d.rw.resync = true
		d.vp8.resync = true
	case want == layerNone:
		// Paused or hidden: stop at once.
		d.cur = layerNone
		d.curLayer.Store(layerNone)
		d.mu.Unlock()
		return
	case d.waitKeyframe:
		if !keyframe {
			replay := mayReplay && !d.started
			d.mu.Unlock()
			d.waitKeyframeOf(src, l, pkt, scratch, now, replay)
			return
		}
		d.waitKeyframe = false
		d.rw.resync = true
		d.vp8.resync = true
		d.firstFrame(now)
	}
	seq, ts, ok := d.rw.forward(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, now)
	if !ok {
		d.mu.Unlock()
		return
	}
	payload := pkt.Payload
	if d.ck == codecVP8 {
		payload = d.vp8.rewrite(payload, &d.bufs[l])
	}
	d.remember(seq, l, pkt.SequenceNumber, ts)
	// The write stays under d.mu: during a switch two layers' readers
	// write here, and the old layer's last packet must not overtake the
	// new layer's keyframe on its way out (the subscriber would see a
	// picture-id jump).
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
	_, err := b.w.WriteRTP(scratch, payload)
	d.mu.Unlock()
	if err == nil {
		d.sent.Add(1)
		if d.vsent != nil {
			d.vsent.Add(1)
		}
		d.bytes.Add(uint64(len(payload) + 12))
		d.ctr.packets.Add(1)
		d.ctr.bytes.Add(uint64(len(payload) + 12))
	}
}

// waitKeyframeOf handles a packet of layer l that a down-track waiting for
// l's keyframe cannot forward: the publisher is asked for a keyframe (so
// that the cache stays fresh, and for when it holds none), and meanwhile
// the down-track starts from the cached one if it can, then forwards pkt.
func (d *DownTrack) waitKeyframeOf(src *Track, l int, pkt *rtp.Packet, scratch *rtp.Header, now int64, mayReplay bool) {
	if src == nil {
		return
	}
	src.requestLayerKeyframe(l)
	if !mayReplay {
		return
	}
	if lay := src.layers[l].Load(); lay != nil && d.replay(lay, pkt, scratch, now) {
		d.write(l, pkt, scratch, false, now, false)
	}
}

// PacketsResent counts packets retransmitted on the subscriber's NACKs.
func (d *DownTrack) PacketsResent() uint64 { return d.resent.Load() }

// Replays counts the times the down-track started from a cached keyframe.
func (d *DownTrack) Replays() uint64 { return d.replays.Load() }
