package sfu

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// maxLayers is the number of simulcast layers a track can hold: quarter,
// half and full resolution.
const maxLayers = 3

// Layer indices. A track without simulcast has one layer, index 0.
const (
	layerNone = -1 // nothing: paused or hidden
	layerAuto = -2 // the highest layer the track has (WHEP players)
)

// nominalRate is what a layer is assumed to cost before it has been
// measured (bits per second): the browser client's q, h and f encodings.
var nominalRate = [maxLayers]int{150_000, 500_000, 1_500_000}

// layerIndex maps a RID to a layer: q/h/f (the browser client), l/m and
// 0/1/2 (other WHIP publishers); anything else takes the next free slot.
func layerIndex(rid string, taken func(int) bool) int {
	switch strings.ToLower(rid) {
	case "q", "l", "low", "0":
		return 0
	case "h", "m", "mid", "1":
		return 1
	case "f", "hi", "high", "2":
		return 2
	}
	for i := 0; i < maxLayers; i++ {
		if !taken(i) {
			return i
		}
	}
	return -1
}

// layer is one simulcast encoding of a track, read by its own goroutine.
type layer struct {
	index  int
	rid    string
	ssrc   uint32
	remote *webrtc.TrackRemote

	running atomic.Bool // its reader was started

	// cache holds the layer's latest packets for NACKs and joins (video
	// only); replayPkt and replayBuf belong to whoever holds fwd.
	//
	// fwd is held by the reader across a video packet's put into the
	// cache and its fan-out, and by a down-track that starts from the
	// cache outside the reader (DownTrack.startFromCache): the replay then
	// neither races the reader nor lets a live packet overtake it.
	fwd       sync.Mutex
	cache     packetCache
	replayPkt rtp.Packet
	replayBuf [receiveMTU]byte

	bytes   atomic.Uint64 // bytes read (header and payload)
	packets atomic.Uint64
	width   atomic.Int32 // from the latest VP8 keyframe
	height  atomic.Int32
	lastPLI atomic.Int64 // unix nanoseconds of the last PLI sent for this layer

	rate      atomic.Int64 // measured bits per second over the last interval
	knownRate atomic.Int64 // last non-zero rate, kept while the layer is paused

	// Sampled by the track's control goroutine only.
	lastBytes uint64
	lastAt    int64
}

// cost is what forwarding the layer is expected to take, in bits per second.
func (l *layer) cost() int {
	if r := l.rate.Load(); r > 0 {
		return int(r)
	}
	if r := l.knownRate.Load(); r > 0 {
		return int(r)
	}
	return nominalRate[l.index]
}

// sample updates the measured rate; now is in nanoseconds.
func (l *layer) sample(now int64) {
	b := l.bytes.Load()
	if l.lastAt != 0 && now > l.lastAt {
		r := int64(float64(b-l.lastBytes) * 8 * 1e9 / float64(now-l.lastAt))
		// Smooth over keyframes: half the new sample, half the old.
		if old := l.rate.Load(); old > 0 && r > 0 {
			r = (old + r) / 2
		}
		l.rate.Store(r)
		if r > 0 {
			l.knownRate.Store(r)
		}
	}
	l.lastBytes, l.lastAt = b, now
}

// vp8KeyframeSize returns the frame size carried by the first packet of a
// VP8 keyframe (RFC 6386 §9.1), or zeros. Only the start of partition 0
// carries the frame header: bytes that look like one anywhere else are not
// a size.
func vp8KeyframeSize(payload []byte) (w, h int) {
	d, ok := parseVP8(payload)
	if !ok || !d.start {
		return 0, 0
	}
	p := payload[d.size:]
	if len(p) < 10 || p[0]&1 != 0 || p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a {
		return 0, 0
	}
	return int(p[6]) | int(p[7]&0x3f)<<8, int(p[8]) | int(p[9]&0x3f)<<8
}
