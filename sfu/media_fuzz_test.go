package sfu

import (
	"bytes"
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

var payloadSeeds = [][]byte{
	nil, {0}, {0x10}, {0x90, 0x80}, {0x90, 0x80, 0x80}, {0x90, 0xe0, 0x80, 0x01, 0x02, 0x03},
	{0x10, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}, // VP8 keyframe header, 320×240
	{0x90, 0x80, 0xff, 0xff, 0x10, 0x9d, 0x01, 0x2a, 0, 0, 0, 0},
	{0x65, 0x88}, {0x67, 0x42}, {0x7c, 0x85}, {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce}, {0x18, 0xff, 0xff},
}

// FuzzVP8KeyframeSize: the VP8 and H.264 keyframe detectors and the VP8 size
// reader take any payload without panicking, and agree with each other.
func FuzzVP8KeyframeSize(f *testing.F) {
	for _, s := range payloadSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		vp8 := isKeyframeStart(codecVP8, p)
		_ = isKeyframeStart(codecH264, p)
		w, h := vp8KeyframeSize(p)
		if (w < 0 || h < 0) || (!vp8 && (w != 0 || h != 0)) {
			t.Fatalf("%x: keyframe %v, size %d×%d", p, vp8, w, h)
		}
	})
}

// FuzzVP8Munger: rewriting picture ids never changes the length of a
// payload, never modifies the shared input, and rewrites only the
// descriptor's first bytes.
func FuzzVP8Munger(f *testing.F) {
	for _, s := range payloadSeeds {
		f.Add(s, s, true)
	}
	f.Fuzz(func(t *testing.T, a, b []byte, resync bool) {
		var m vp8Munger
		var buf []byte
		for i, p := range [][]byte{a, b, a} {
			in := append([]byte(nil), p...)
			m.resync = resync && i == 1
			out := m.rewrite(p, &buf)
			if !bytes.Equal(p, in) {
				t.Fatalf("rewrite modified its shared input %x", in)
			}
			if len(out) != len(p) {
				t.Fatalf("rewrite changed the length: %x → %x", p, out)
			}
			if len(p) > 6 && !bytes.Equal(out[6:], p[6:]) {
				t.Fatalf("rewrite touched the payload past the descriptor: %x → %x", p, out)
			}
		}
	})
}

// FuzzRewriter: sequence numbers out of the rewriter never repeat for
// distinct inputs of one source and stay consecutive for consecutive
// inputs, whatever the first sequence number, timestamp or a switch.
func FuzzRewriter(f *testing.F) {
	f.Add(uint32(1), uint16(65530), uint32(0xfffffff0), uint32(2), uint16(7), uint32(9), uint8(10))
	f.Add(uint32(5), uint16(0), uint32(0), uint32(5), uint16(32768), uint32(1), uint8(0))
	f.Fuzz(func(t *testing.T, ssrcA uint32, seqA uint16, tsA uint32, ssrcB uint32, seqB uint16, tsB uint32, n uint8) {
		r := rewriter{clockRate: 90000}
		var last uint16
		now := int64(1e9)
		for i := 0; i < int(n)%40+1; i++ {
			out, _, ok := r.forward(ssrcA, seqA+uint16(i), tsA+uint32(i)*3000, now)
			if !ok || (i > 0 && out != last+1) {
				t.Fatalf("source A packet %d: out %d ok %v after %d", i, out, ok, last)
			}
			last = out
			now += 33e6
		}
		r.resync = true
		out, _, ok := r.forward(ssrcB, seqB, tsB, now)
		if !ok || out != last+1 {
			t.Fatalf("after a switch: out %d ok %v after %d", out, ok, last)
		}
		if _, _, ok := r.forward(ssrcB, seqB, tsB, now); ok && ssrcA != ssrcB {
			// A duplicate of the packet just forwarded is a retransmission:
			// forwarding it again is allowed, but it must map to the same number.
			if o2, _, _ := r.forward(ssrcB, seqB, tsB, now); o2 != out {
				t.Fatalf("a duplicate mapped to %d, first to %d", o2, out)
			}
		}
	})
}

// FuzzRTPAndRTCP: the packets the server parses from the network (RTP
// from publishers, RTCP from subscribers) never panic the parsers, and
// a parsed RTP packet's payload goes through the detectors.
func FuzzRTPAndRTCP(f *testing.F) {
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 2, SSRC: 3}, Payload: payloadSeeds[6]}
	raw, _ := pkt.Marshal()
	f.Add(raw)
	pli, _ := (&rtcp.PictureLossIndication{MediaSSRC: 3}).Marshal()
	f.Add(pli)
	nack, _ := (&rtcp.TransportLayerNack{MediaSSRC: 3, Nacks: []rtcp.NackPair{{PacketID: 1, LostPackets: 0xffff}}}).Marshal()
	f.Add(nack)
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p rtp.Packet
		if p.Unmarshal(b) == nil {
			_ = isKeyframeStart(codecVP8, p.Payload)
			_ = isKeyframeStart(codecH264, p.Payload)
		}
		if pkts, err := rtcp.Unmarshal(b); err == nil {
			for _, x := range pkts {
				if n, ok := x.(*rtcp.TransportLayerNack); ok {
					for _, pair := range n.Nacks {
						_ = pair.PacketList()
					}
				}
			}
		}
	})
}
