package sfu

import (
	"sync/atomic"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// sentPacket is what a fakeWriter saw of one packet.
type sentPacket struct {
	seq      uint16
	ts       uint32
	key      bool   // first packet of a keyframe
	tag      byte   // the layer the payload came from
	pic      uint16 // VP8 picture id
	tl0      uint8
	hasPicID bool
}

// fakeWriter records what a down-track writes, or (count set) only counts.
type fakeWriter struct {
	count bool
	n     int
	sent  []sentPacket
}

func (w *fakeWriter) WriteRTP(h *rtp.Header, p []byte) (int, error) {
	w.n++
	if w.count {
		return len(p), nil
	}
	d, _ := parseVP8(p)
	w.sent = append(w.sent, sentPacket{seq: h.SequenceNumber, ts: h.Timestamp, key: vp8KeyframeStart(p),
		tag: p[len(p)-1], pic: d.pictureID, tl0: d.tl0PicIdx, hasPicID: d.hasPicID})
	return len(p), nil
}

func (w *fakeWriter) Write(b []byte) (int, error) { return len(b), nil }

// layerSource produces the packets of one VP8 simulcast layer: frames of
// two packets, a keyframe every gop frames.
type layerSource struct {
	index int
	ssrc  uint32
	seq   uint16
	ts    uint32
	pic   uint16
	tl0   uint8
	frame int
	gop   int
	buf   [2][32]byte
}

// frame returns the two packets of the next frame.
func (s *layerSource) next() [2]rtp.Packet {
	key := s.frame%s.gop == 0
	var out [2]rtp.Packet
	for i := range out {
		b := s.buf[i][:0]
		if i == 0 {
			b = append(b, 0x90) // X, S, partition 0
		} else {
			b = append(b, 0x80) // X, continuation
		}
		b = append(b, 0xc0, 0x80|byte(s.pic>>8), byte(s.pic), s.tl0)
		if i == 0 && key {
			w, h := 160<<s.index, 120<<s.index
			b = append(b, 0x00, 0, 0, 0x9d, 0x01, 0x2a, byte(w), byte(w>>8), byte(h), byte(h>>8))
		} else {
			b = append(b, 0x01, 0, 0)
		}
		b = append(b, byte(s.index))
		out[i] = rtp.Packet{Header: rtp.Header{SSRC: s.ssrc, SequenceNumber: s.seq, Timestamp: s.ts, Marker: i == 1}, Payload: b}
		s.seq++
	}
	s.ts += 3000
	s.pic = (s.pic + 1) & 0x7fff
	s.tl0++
	s.frame++
	return out
}

func newTestTrack(layers ...*layerSource) *Track {
	t := &Track{id: "t", kind: webrtc.RTPCodecTypeVideo, ck: codecVP8, pli: make(chan struct{}, 1), done: make(chan struct{}),
		codec: webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}}}
	t.downs.Store(&[]*DownTrack{})
	t.forwarding.Store(true)
	t.top.Store(-1)
	for _, s := range layers {
		t.layers[s.index].Store(&layer{index: s.index, ssrc: s.ssrc})
		t.top.Store(int32(s.index))
	}
	return t
}

func newTestDown(t *Track, w *fakeWriter) *DownTrack {
	var up atomic.Bool
	up.Store(true)
	d := newDownTrack(t, "p", &up)
	d.bound.Store(&binding{ssrc: 1234, pt: 96, w: w})
	t.addDown(d)
	return d
}

// feed sends one frame of every layer through the track, layers
// interleaved packet by packet as the readers would.
func feed(t *Track, now *int64, srcs ...*layerSource) {
	var scratch rtp.Header
	frames := make([][2]rtp.Packet, len(srcs))
	for i, s := range srcs {
		frames[i] = s.next()
	}
	for p := 0; p < 2; p++ {
		for i, s := range srcs {
			t.forward(t.layers[s.index].Load(), &frames[i][p], &scratch, *now)
		}
	}
	*now += 33e6
}

// switchedDown is a two-layer track whose one down-track has forwarded
// layer 0 for 5 frames, then switched to layer 1 at its keyframe; layer
// 1's numbers wrap in all three spaces meanwhile.
func switchedDown() (tr *Track, q, h *layerSource, w *fakeWriter, d *DownTrack, now int64) {
	q = &layerSource{index: 0, ssrc: 10, seq: 100, ts: 5000, pic: 7, tl0: 3, gop: 10}
	h = &layerSource{index: 1, ssrc: 11, seq: 65530, ts: 0xffffd000, pic: 0x7ffe, tl0: 254, gop: 10, frame: 4}
	tr = newTestTrack(q, h)
	w = &fakeWriter{}
	d = newTestDown(tr, w)
	for range 5 {
		feed(tr, &now, q, h)
	}
	d.setTarget(1) // h's next keyframe is 6 frames away
	for range 12 {
		feed(tr, &now, q, h)
	}
	return tr, q, h, w, d, now
}

func TestDownTrackSwitchesAtKeyframe(t *testing.T) {
	tr, q, h, w, d, now := switchedDown()
	d.setTarget(layerNone)
	for range 3 {
		feed(tr, &now, q, h)
	}
	d.setTarget(0)
	for range 12 {
		feed(tr, &now, q, h)
	}

	if len(w.sent) == 0 || !w.sent[0].key {
		t.Fatalf("first packet sent is not a keyframe: %+v", w.sent)
	}
	switches := 0
	for i := 1; i < len(w.sent); i++ {
		a, b := w.sent[i-1], w.sent[i]
		if b.seq != a.seq+1 {
			t.Errorf("packet %d: seq %d after %d", i, b.seq, a.seq)
		}
		if int32(b.ts-a.ts) < 0 {
			t.Errorf("packet %d: timestamp %d after %d", i, b.ts, a.ts)
		}
		if b.tag != a.tag {
			switches++
			if !b.key {
				t.Errorf("packet %d: switch from layer %d to %d not at a keyframe", i, a.tag, b.tag)
			}
		}
		if b.pic != a.pic && b.pic != (a.pic+1)&0x7fff {
			t.Errorf("packet %d: picture id %d after %d", i, b.pic, a.pic)
		}
		if b.pic != a.pic && b.tl0 != a.tl0+1 {
			t.Errorf("packet %d: TL0PICIDX %d after %d", i, b.tl0, a.tl0)
		}
	}
	if switches != 2 || d.Switches() != 1 {
		t.Fatalf("saw %d switches in the output, down-track counted %d; want 2 and 1 (one was a resume)", switches, d.Switches())
	}
}

func TestVP8MungerIdentityUntilSwitch(t *testing.T) {
	var m vp8Munger
	var buf []byte
	p := []byte{0x90, 0xc0, 0x80, 0x05, 0x09, 0x01}
	if out := m.rewrite(p, &buf); &out[0] != &p[0] {
		t.Fatal("the first source was copied although nothing changes")
	}
	m.resync = true
	q := []byte{0x90, 0xc0, 0xff, 0xff, 0x10, 0x01} // picture id 0x7fff, tl0 16
	out := m.rewrite(q, &buf)
	d, _ := parseVP8(out)
	if d.pictureID != 6 || d.tl0PicIdx != 10 {
		t.Fatalf("after switch: picture id %d tl0 %d, want 6 and 10", d.pictureID, d.tl0PicIdx)
	}
	if q[2] != 0xff || q[4] != 0x10 {
		t.Fatal("the shared payload was modified")
	}
	// The source wraps: 0x7fff → 0 continues 6 → 7.
	out = m.rewrite([]byte{0x90, 0xc0, 0x80, 0x00, 0x11, 0x01}, &buf)
	if d, _ := parseVP8(out); d.pictureID != 7 || d.tl0PicIdx != 11 {
		t.Fatalf("after source wrap: %d %d", d.pictureID, d.tl0PicIdx)
	}
}

// BenchmarkForwardSwitching forwards VP8 packets of three layers to 30
// down-tracks spread over the layers, each switching layer every 30
// frames. One op is one packet read from the publisher.
func BenchmarkForwardSwitching(b *testing.B) {
	srcs := []*layerSource{{index: 0, ssrc: 1, gop: 30}, {index: 1, ssrc: 2, gop: 30, frame: 10}, {index: 2, ssrc: 3, gop: 30, frame: 20}}
	tr := newTestTrack(srcs...)
	w := &fakeWriter{count: true}
	var downs []*DownTrack
	for i := range 30 {
		d := newTestDown(tr, w)
		d.setTarget(int32(i % 3))
		downs = append(downs, d)
	}
	var now int64
	var scratch rtp.Header
	pkts := make([][2]rtp.Packet, 3)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l := i % 3
		p := i / 3 % 2
		if p == 0 && l == 0 {
			for j, s := range srcs {
				pkts[j] = s.next()
			}
			now += 33e6
			if srcs[0].frame%30 == 15 {
				for k, d := range downs {
					d.setTarget(int32((k + srcs[0].frame/30) % 3))
				}
			}
		}
		tr.forward(tr.layers[l].Load(), &pkts[l][p], &scratch, now)
		i++
	}
	b.ReportMetric(float64(w.n)/float64(b.N), "writes/op")
}
