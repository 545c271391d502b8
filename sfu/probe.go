package sfu

import (
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// Bandwidth probing towards a subscriber. Pion's GCC estimate rises by a
// few percent a second at most and never above what is being sent, so on
// its own it cannot find room for a higher layer: something must be sent
// first. Sending the higher layer itself as the test (a media trial)
// starts with that layer's keyframe, a burst an unpaced sender loses part
// of even on a link with room, and a failed trial shows the subscriber a
// broken picture. So, as libwebrtc and LiveKit do, the controller probes
// with padding instead: RTP packets that carry nothing but padding, on the
// retransmission (RTX, RFC 4588) SSRC of one of the subscriber's video
// down-tracks, paced evenly over the probe at the rate the controller
// wants to prove (adaptive.go). Receivers drop them (RFC 4588 §4; Pion's
// RTPReceiver calls them "BWE probe packets"), but their transport-wide
// sequence numbers reach GCC in the subscriber's TWCC feedback like any
// media's: if the link cannot carry the rate, GCC sees queuing delay or
// loss and the probe ends; if it can, the proven rate becomes the floor
// of the subscriber's budget and the layers are raised at once.
//
// Padding needs RTX negotiated; without it the controller falls back to
// media trials. The RTX SSRC's sequence numbers are the down-track's own
// (rtxSeq), shared with its retransmissions (nack.go).

// probeSlice is how often the prober sends its next share of padding.
const probeSlice = 5 * time.Millisecond

// padSize is the payload of one padding packet: all of it padding, whose
// length RTP holds in one byte.
const padSize = 255

// padPayload is the payload of every padding packet (RFC 3550 §5.1: the
// last byte counts the padding, itself included). Never written to.
var padPayload = func() (b [padSize]byte) {
	b[padSize-1] = padSize
	return b
}()

// probe is one probe the controller asked for.
type probe struct {
	d     *DownTrack
	rate  int   // padding to add, bits per second
	until int64 // UnixNano
}

// prober paces a subscriber's padding; its goroutine runs while the
// subscriber lives and sleeps between probes.
type prober struct {
	req  chan probe
	stop atomic.Bool // ends the running probe early (congestion)
	sent atomic.Uint64
}

func newProber() *prober { return &prober{req: make(chan probe, 1)} }

// start asks for a probe, replacing one not started yet.
func (p *prober) start(pr probe) {
	p.stop.Store(false)
	select {
	case p.req <- pr:
	default:
		select {
		case <-p.req:
		default:
		}
		select {
		case p.req <- pr:
		default:
		}
	}
}

// run paces probes until done is closed.
func (p *prober) run(done <-chan struct{}) {
	var hdr rtp.Header
	for {
		var pr probe
		select {
		case <-done:
			return
		case pr = <-p.req:
		}
		tick := time.NewTicker(probeSlice)
		debt := 0.0 // bytes owed to the pace
		last := time.Now()
		for !p.stop.Load() {
			now := time.Now()
			if now.UnixNano() >= pr.until {
				break
			}
			debt += float64(pr.rate) / 8 * now.Sub(last).Seconds()
			last = now
			for debt >= padSize && !p.stop.Load() {
				if !pr.d.writePadding(&hdr) {
					p.stop.Store(true)
					break
				}
				p.sent.Add(1)
				debt -= padSize
			}
			select {
			case <-done:
				tick.Stop()
				return
			case <-tick.C:
			}
		}
		tick.Stop()
	}
}

// canPad reports whether the down-track can carry padding probes.
func (d *DownTrack) canPad() bool {
	return d.bound.Load().hasRTX() && d.connected.Load()
}

// writePadding sends one padding-only packet on the down-track's RTX
// SSRC, stamped with the timestamp of the latest media packet sent. It
// returns false when the down-track cannot pad.
func (d *DownTrack) writePadding(hdr *rtp.Header) bool {
	b := d.bound.Load()
	if !b.hasRTX() || !d.connected.Load() {
		return false
	}
	d.mu.Lock()
	ts := d.rw.lastTS
	d.mu.Unlock()
	*hdr = rtp.Header{Version: 2, Padding: true, PayloadType: b.rtxPT,
		SequenceNumber: uint16(d.rtxSeq.Add(1)), Timestamp: ts, SSRC: b.rtxSSRC, Extensions: hdr.Extensions[:0]}
	_, err := b.w.WriteRTP(hdr, padPayload[:])
	return err == nil
}
