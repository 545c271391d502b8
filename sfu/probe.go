package sfu

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// Bandwidth probing towards a subscriber. The estimate (estimator.go)
// rises by a few percent a second at most and never far above what is
// acknowledged, so on
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
// sequence numbers reach the estimator in the subscriber's TWCC feedback
// like any media's: if the link cannot carry the rate, it sees queuing delay or
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

// pacer sends the padding of every probe under way in one SFU, from one
// goroutine that runs only while a probe does: every probeSlice it writes
// each probe's share as one fan-out of the shared UDP socket, so that the
// padding of all the subscribers probing at once leaves in one or a few
// sendmmsg calls (batchconn.go) instead of one sendto per packet, and one
// ticker serves them all instead of one per subscriber.
type pacer struct {
	fan fanout

	mu      sync.Mutex // guards probers, running, hdr and the probers' pacing state
	probers []*prober  // those with a probe under way
	running bool
	hdr     rtp.Header // scratch for every padding packet

	wg sync.WaitGroup // the goroutine
}

// prober is one subscriber's handle on its SFU's pacer: at most one probe
// under way at a time.
type prober struct {
	pc   *pacer
	stop atomic.Bool // ends the running probe early (congestion)
	sent atomic.Uint64

	// Guarded by pc.mu.
	cur    probe
	active bool    // in pc.probers
	debt   float64 // bytes owed to the pace
	last   int64   // UnixNano of the last share
}

func (pc *pacer) newProber() *prober { return &prober{pc: pc} }

// start begins a probe, replacing the one under way if any.
func (p *prober) start(pr probe) {
	p.stop.Store(false)
	pc := p.pc
	pc.mu.Lock()
	defer pc.mu.Unlock()
	p.cur, p.debt, p.last = pr, 0, time.Now().UnixNano()
	if !p.active {
		p.active = true
		pc.probers = append(pc.probers, p)
	}
	if !pc.running {
		pc.running = true
		pc.wg.Add(1)
		go pc.run()
	}
}

// cancel ends p's probe; once it returns, nothing more is written for it
// (a slice's last packets may still be leaving the socket's queue).
func (p *prober) cancel() {
	p.stop.Store(true)
	p.pc.mu.Lock()
	p.cur = probe{}
	p.pc.mu.Unlock()
}

// run paces until no probe is left.
func (pc *pacer) run() {
	defer pc.wg.Done()
	tick := time.NewTicker(probeSlice)
	defer tick.Stop()
	for pc.tick(time.Now().UnixNano()) {
		<-tick.C
	}
}

// tick sends every probe's share due at now and drops the probes that
// ended; it returns false, and the goroutine ends, when none is left.
// The slice's sendmmsg runs after pc.mu is released (deferred calls run
// last first), so that start and cancel do not wait on the socket.
func (pc *pacer) tick(now int64) bool {
	pc.fan.begin()
	defer pc.fan.end()
	pc.mu.Lock()
	defer pc.mu.Unlock()
	keep := pc.probers[:0]
	for _, p := range pc.probers {
		if p.pace(now, &pc.hdr) {
			keep = append(keep, p)
		} else {
			p.active = false
		}
	}
	clear(pc.probers[len(keep):])
	pc.probers = keep
	if len(keep) == 0 {
		pc.running = false
		return false
	}
	return true
}

// pace writes p's share of padding due at now (under pc.mu); false when
// its probe is over.
func (p *prober) pace(now int64, hdr *rtp.Header) bool {
	if p.cur.d == nil || p.stop.Load() || now >= p.cur.until {
		return false
	}
	p.debt += float64(p.cur.rate) / 8 * float64(now-p.last) / 1e9
	p.last = now
	for p.debt >= padSize {
		if !p.cur.d.writePadding(hdr) {
			p.stop.Store(true)
			return false
		}
		p.sent.Add(1)
		p.debt -= padSize
	}
	return true
}

// wait waits for the pacer's goroutine to end.
func (pc *pacer) wait() { pc.wg.Wait() }

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
