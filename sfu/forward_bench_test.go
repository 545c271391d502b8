package sfu

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
	rtpcodecs "github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
)

// The per-packet forwarding path, measured without a network: one
// published track, N down-tracks bound to writers, one reader calling
// Track.forward as readLoop does. ns/pkt/sub is the cost per forwarded
// packet per subscriber; allocs/op is per packet for all N subscribers.
//
//	go test ./sfu -run '^$' -bench 'Forward|Rewriter|Keyframe' -benchmem

// discardWriter is a webrtc.TrackLocalWriter that drops everything.
type discardWriter struct{}

func (discardWriter) WriteRTP(h *rtp.Header, p []byte) (int, error) {
	return h.MarshalSize() + len(p), nil
}
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// marshalWriter marshals every packet into one reused buffer, as Pion's
// SRTP writer does before encrypting: the cost of the one copy per
// subscriber that encryption needs anyway.
type marshalWriter struct{ buf []byte }

func (w *marshalWriter) WriteRTP(h *rtp.Header, p []byte) (int, error) {
	n, err := rtp.MarshalPacketTo(w.buf, h, p) //nolint:staticcheck // what pion/srtp calls
	return n, err
}
func (w *marshalWriter) Write(b []byte) (int, error) { return len(b), nil }

var vp8Codec = webrtc.RTPCodecParameters{PayloadType: 96, RTPCodecCapability: webrtc.RTPCodecCapability{
	MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: videoFeedback}}

var opusCodec = webrtc.RTPCodecParameters{PayloadType: 111, RTPCodecCapability: webrtc.RTPCodecCapability{
	MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}}

// benchPackets packetizes the committed teacher clip (320x240 VP8, keyframe
// first) as a publisher would, with picture ids.
func benchPackets(tb testing.TB, ssrc uint32, picStart uint16) []*rtp.Packet {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	f, err := os.Open(filepath.Join(filepath.Dir(file), "..", "testdata", "media", "teacher.ivf"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, _, err := ivfreader.NewWith(f)
	if err != nil {
		tb.Fatal(err)
	}
	pay := &rtpcodecs.VP8Payloader{EnablePictureID: true}
	pz := rtp.NewPacketizer(1200, 96, ssrc, pay, rtp.NewFixedSequencer(1000), 90000)
	var out []*rtp.Packet
	for i := 0; ; i++ {
		frame, _, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			for j := uint16(0); j < picStart; j++ {
				pay.Payload(1200, []byte{0}) // advance the picture id
			}
		}
		out = append(out, pz.Packetize(frame, 3000)...)
	}
	return out
}

func opusPackets(n int) []*rtp.Packet {
	out := make([]*rtp.Packet, n)
	for i := range out {
		p := make([]byte, 120)
		for j := range p {
			p[j] = byte(i*7 + j)
		}
		out[i] = &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(i), Timestamp: uint32(i * 960), SSRC: 77}, Payload: p}
	}
	return out
}

// benchTrack is a published track with one layer and n bound, connected
// down-tracks writing to w(i).
func benchTrack(n int, c webrtc.RTPCodecParameters, w func(i int) webrtc.TrackLocalWriter) (*Track, []*DownTrack) {
	kind := webrtc.RTPCodecTypeVideo
	if c.MimeType == webrtc.MimeTypeOpus {
		kind = webrtc.RTPCodecTypeAudio
	}
	t := &Track{id: "t_bench", kind: kind, codec: c, ck: kindOfCodec(c.MimeType),
		pli: make(chan struct{}, 1), done: make(chan struct{})}
	t.downs.Store(&[]*DownTrack{})
	t.forwarding.Store(true)
	t.top.Store(-1)
	benchLayer(t, 0)
	var connected atomic.Bool
	connected.Store(true)
	downs := make([]*DownTrack, n)
	for i := range downs {
		d := newDownTrack(t, "p_bench", &connected)
		d.bound.Store(&binding{ssrc: uint32(5000 + i), pt: uint8(c.PayloadType), w: w(i)})
		t.addDown(d)
		downs[i] = d
	}
	return t, downs
}

// benchLayer adds layer i to t as addLayer does, without a TrackRemote.
func benchLayer(t *Track, i int) *layer {
	l := &layer{index: i, rid: strconv.Itoa(i), ssrc: uint32(1000 + i)}
	t.layers[i].Store(l)
	if int32(i) > t.top.Load() {
		t.top.Store(int32(i))
	}
	return l
}

// runForward forwards the packets in a loop, renumbered so that every
// loop continues the stream, b.N packets in all.
func runForward(b *testing.B, t *Track, l *layer, pkts []*rtp.Packet, subs int) {
	var pkt rtp.Packet
	var scratch rtp.Header
	var seq uint16
	var ts uint32
	step := func(i int) {
		src := pkts[i%len(pkts)]
		pkt.Header = src.Header
		pkt.SequenceNumber = seq
		pkt.Timestamp = src.Timestamp + ts
		pkt.Payload = src.Payload
		seq++
		if i%len(pkts) == len(pkts)-1 {
			ts += 90000 * 4
		}
		t.forward(l, &pkt, &scratch, time.Now().UnixNano())
	}
	// Warm up: the first keyframe starts every down-track.
	for i := 0; i < len(pkts); i++ {
		step(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step(i)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(subs), "ns/pkt/sub")
}

func BenchmarkForward(b *testing.B) {
	video := benchPackets(b, 1111, 0)
	audio := opusPackets(500)
	for _, media := range []struct {
		name  string
		codec webrtc.RTPCodecParameters
		pkts  []*rtp.Packet
	}{{"vp8", vp8Codec, video}, {"opus", opusCodec, audio}} {
		for _, w := range []struct {
			name string
			w    func(int) webrtc.TrackLocalWriter
		}{
			{"discard", func(int) webrtc.TrackLocalWriter { return discardWriter{} }},
			{"marshal", func(int) webrtc.TrackLocalWriter { return &marshalWriter{buf: make([]byte, 1500)} }},
		} {
			for _, n := range []int{1, 10, 100} {
				b.Run(media.name+"/"+w.name+"/subs="+strconv.Itoa(n), func(b *testing.B) {
					t, downs := benchTrack(n, media.codec, w.w)
					runForward(b, t, t.layers[0].Load(), media.pkts, n)
					for _, d := range downs {
						if d.PacketsSent() == 0 {
							b.Fatal("a down-track forwarded nothing")
						}
					}
				})
			}
		}
	}
}

// BenchmarkForwardAfterSwitch is BenchmarkForward once the down-tracks have
// moved from layer 0 to layer 1, so that the VP8 picture id is rewritten
// in every forwarded packet.
func BenchmarkForwardAfterSwitch(b *testing.B) {
	low := benchPackets(b, 1111, 0)
	high := benchPackets(b, 2222, 3000) // its own picture-id space
	for _, n := range []int{1, 10, 100} {
		b.Run("subs="+strconv.Itoa(n), func(b *testing.B) {
			t, downs := benchTrack(n, vp8Codec, func(int) webrtc.TrackLocalWriter { return discardWriter{} })
			l0 := t.layers[0].Load()
			l1 := benchLayer(t, 1)
			var pkt rtp.Packet
			var scratch rtp.Header
			for _, p := range low[:len(low)/2] {
				pkt = *p
				t.forward(l0, &pkt, &scratch, time.Now().UnixNano())
			}
			for _, d := range downs {
				d.setTarget(1)
			}
			runForward(b, t, l1, high, n)
			for _, d := range downs {
				if d.Layer() != 1 {
					b.Fatalf("down-track on layer %d, want 1", d.Layer())
				}
			}
		})
	}
}

func BenchmarkRewriter(b *testing.B) {
	var r rewriter
	r.clockRate = 90000
	now := time.Now().UnixNano()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		seq := uint16(i)
		if i%1000 == 999 {
			r.resync = true // a source switch every 1,000 packets
		}
		if _, _, ok := r.forward(1234, seq, uint32(i/3)*3000, now+int64(i)*1e6); !ok {
			b.Fatal("dropped")
		}
	}
}

func BenchmarkKeyframeDetect(b *testing.B) {
	pkts := benchPackets(b, 1, 0)
	var key, delta []byte
	for _, p := range pkts {
		switch {
		case key == nil && isKeyframeStart(codecVP8, p.Payload):
			key = p.Payload
		case delta == nil && !isKeyframeStart(codecVP8, p.Payload) && p.Payload[0]&0x10 != 0:
			delta = p.Payload
		}
	}
	if key == nil || delta == nil {
		b.Fatal("no keyframe or delta frame in the clip")
	}
	fuA := []byte{0x7c, 0x85, 0x88, 0x84} // H.264 FU-A, start of an IDR
	stapA := []byte{0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce}
	for _, c := range []struct {
		name string
		k    codecKind
		p    []byte
		want bool
	}{
		{"vp8/key", codecVP8, key, true},
		{"vp8/delta", codecVP8, delta, false},
		{"h264/fu-a-idr", codecH264, fuA, true},
		{"h264/stap-a-sps", codecH264, stapA, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if isKeyframeStart(c.k, c.p) != c.want {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}
