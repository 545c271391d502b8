package sfu

import "github.com/pion/rtp"

// replay starts a down-track that waits for a keyframe of layer l from the
// layer's cache: the latest keyframe and every packet since, up to pkt
// (which the caller forwards next), rewritten into the subscriber's space
// at once. It reports whether it did; when the cache does not hold a whole
// picture since a keyframe, the down-track keeps waiting for the next one.
// It runs on l's reader goroutine, which owns l.replayPkt and l.replayBuf.
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
