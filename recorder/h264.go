package recorder

import (
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/pion/rtp/codecs"
)

// h264Depacketizer turns RTP packets (RFC 6184: single NAL units, STAP-A,
// FU-A) into access units. A lost packet drops the picture it belonged to
// and everything up to the next IDR.
type h264Depacketizer struct {
	pkt      codecs.H264Packet
	nalus    [][]byte
	ts       uint32
	lastSeq  uint16
	started  bool // a packet has been seen
	broken   bool // waiting for an IDR after a loss
	sps, pps []byte
}

// push adds one packet and calls emit for each access unit it completes
// (NAL units without start codes, SPS and PPS in front of every IDR), with
// the unit's RTP timestamp.
func (d *h264Depacketizer) push(seq uint16, ts uint32, marker bool, payload []byte, emit func(au [][]byte, ts uint32)) {
	if d.started && seq != d.lastSeq+1 {
		d.reset()
		d.broken = true
	}
	if d.started && ts != d.ts && len(d.nalus) > 0 {
		// The previous picture never saw its marker bit: it ends here.
		if au, aTS, ok := d.flush(); ok {
			emit(au, aTS)
		}
	}
	d.started, d.lastSeq, d.ts = true, seq, ts
	d.add(payload)
	if marker {
		if au, aTS, ok := d.flush(); ok {
			emit(au, aTS)
		}
	}
}

func (d *h264Depacketizer) add(payload []byte) {
	annexb, err := d.pkt.Unmarshal(payload)
	if err != nil || len(annexb) == 0 {
		return
	}
	var nalus h264.AnnexB
	if nalus.Unmarshal(annexb) != nil {
		return
	}
	d.nalus = append(d.nalus, nalus...)
}

func (d *h264Depacketizer) reset() {
	d.pkt = codecs.H264Packet{}
	d.nalus = d.nalus[:0]
}

// flush ends the current access unit.
func (d *h264Depacketizer) flush() ([][]byte, uint32, bool) {
	nalus := d.nalus
	d.nalus = nil
	if len(nalus) == 0 {
		return nil, 0, false
	}
	idr := false
	hasSPS, hasPPS := false, false
	for _, n := range nalus {
		if len(n) == 0 {
			continue
		}
		switch h264.NALUType(n[0] & 0x1f) {
		case h264.NALUTypeSPS:
			d.sps, hasSPS = n, true
		case h264.NALUTypePPS:
			d.pps, hasPPS = n, true
		case h264.NALUTypeIDR:
			idr = true
		}
	}
	if d.broken && !idr {
		return nil, 0, false
	}
	if idr {
		if d.sps == nil || d.pps == nil {
			return nil, 0, false
		}
		d.broken = false
		if !hasSPS || !hasPPS {
			nalus = append([][]byte{d.sps, d.pps}, nalus...)
		}
	}
	return nalus, d.ts, true
}

// isIDR reports whether an access unit holds an IDR picture.
func isIDR(au [][]byte) bool {
	for _, n := range au {
		if len(n) > 0 && h264.NALUType(n[0]&0x1f) == h264.NALUTypeIDR {
			return true
		}
	}
	return false
}
