package sfu

import (
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// replay starts a down-track that waits for a keyframe of layer l from the
// layer's cache: the latest keyframe and every packet since, up to pkt
// (which the caller forwards next), rewritten into the subscriber's space
// at once. It reports whether it did; when the cache does not hold a whole
// picture since a keyframe, the down-track keeps waiting for the next one.
// It runs under l.fwd (on l's reader goroutine, or in startFromCache),
// which guards l.replayPkt and l.replayBuf.
func (d *DownTrack) replay(l *layer, pkt *rtp.Packet, scratch *rtp.Header, now int64) bool {
	start, ok := l.cache.gop(pkt.SequenceNumber, maxReplay)
	if !ok {
		return false
	}
	rp := &l.replayPkt
	for seq := start; seq != pkt.SequenceNumber; seq++ {
		if !l.cache.load(seq, rp, &l.replayBuf) {
			return seq != start
		}
		// Older pictures are stamped as sent when they were taken, so
		// that the subscriber's timing continues from the live packet.
		at := now
		if d.rw.clockRate > 0 {
			at -= int64(pkt.Timestamp-rp.Timestamp) * 1e9 / int64(d.rw.clockRate)
		}
		d.write(l.index, rp, scratch, seq == start, at, false)
	}
	d.replays.Add(1)
	return true
}

// startFromCache starts a video down-track that has forwarded nothing yet
// from its layer's cached keyframe at once, when the subscriber's
// transport comes up, instead of at the layer's next live packet (up to a
// frame interval later, or a whole GOP for a publisher that is slow to
// answer a PLI). It replays the keyframe and everything since, up to the
// newest packet, while holding the layer's fwd, so that the reader's next
// packet follows it in order.
func (d *DownTrack) startFromCache() {
	src := d.source.Load()
	if src == nil || d.kind != webrtc.RTPCodecTypeVideo || d.bound.Load() == nil || !d.connected.Load() {
		return
	}
	want := d.target.Load()
	if want == layerAuto {
		want = src.top.Load()
	}
	if want < 0 || int(want) >= maxLayers {
		return // paused, hidden, or nothing received yet
	}
	l := src.layers[want].Load()
	if l == nil {
		return
	}
	src.fan.begin() // the replay's packets leave in batches
	defer src.fan.end()
	l.fwd.Lock()
	defer l.fwd.Unlock()
	d.mu.Lock()
	started := d.started
	d.mu.Unlock()
	if started {
		return
	}
	seq, ok := l.cache.newest()
	var pkt rtp.Packet
	var buf [receiveMTU]byte
	if !ok || !l.cache.load(seq, &pkt, &buf) {
		return
	}
	var scratch rtp.Header
	now := time.Now().UnixNano()
	if d.replay(l, &pkt, &scratch, now) {
		d.write(l.index, &pkt, &scratch, false, now, false)
	}
}
