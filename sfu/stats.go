package sfu

import (
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// counters are the process's media figures: atomic adds on the media
// path, read at scrape time by Stats. They are process-wide (every SFU of
// the process adds to them) and only ever grow.
var counters struct {
	packets  atomic.Uint64 // RTP packets written to subscribers
	bytes    atomic.Uint64 // their bytes (payload + 12-byte header)
	nacks    atomic.Uint64 // NACK packets received from subscribers
	plis     atomic.Uint64 // keyframe requests (PLI) sent to publishers
	switches atomic.Uint64 // layer changes made at a keyframe

	// firstFrame is the time from a video subscription to its first
	// forwarded keyframe.
	firstFrame histogram
}

// FirstFrameBuckets are the upper bounds, in seconds, of the
// join-to-first-frame histogram.
var FirstFrameBuckets = [...]float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10}

type histogram struct {
	counts [len(FirstFrameBuckets) + 1]atomic.Uint64 // last: above every bound
	sumNs  atomic.Uint64
}

func (h *histogram) observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	i := 0
	for i < len(FirstFrameBuckets) && d.Seconds() > FirstFrameBuckets[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNs.Add(uint64(d))
}

// firstFrame records, once per video down-track, the time from its
// creation to the first keyframe it forwards. Called outside the
// per-packet path (only when a down-track starts or resumes at a
// keyframe).
func (d *DownTrack) firstFrame(now int64) {
	if d.kind == webrtc.RTPCodecTypeVideo && d.created != 0 && d.firstDone.CompareAndSwap(false, true) {
		counters.firstFrame.observe(time.Duration(now - d.created))
	}
}

// Stats are the figures of the media server, read at scrape time.
type Stats struct {
	Rooms, Participants, Publishing, Subscribing int
	// Tracks counts published tracks by kind ("audio", "video").
	Tracks map[string]int

	PacketsForwarded, BytesForwarded uint64
	NACKsReceived, PLIsSent          uint64
	LayerSwitches                    uint64

	// FirstFrameCounts are cumulative counts per FirstFrameBuckets bound;
	// FirstFrameCount and FirstFrameSum (seconds) cover every observation.
	FirstFrameCounts [len(FirstFrameBuckets)]uint64
	FirstFrameCount  uint64
	FirstFrameSum    float64
}

// Stats returns the SFU's current figures. It is read-only and cheap
// enough for every scrape.
func (s *SFU) Stats() Stats {
	st := Stats{Tracks: map[string]int{}}
	s.mu.Lock()
	rooms := make([]*Room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	st.Rooms = len(rooms)
	for _, r := range rooms {
		for _, p := range r.Participants() {
			st.Participants++
			if p.CanPublish() {
				st.Publishing++
			}
			if p.cfg.Subscribe {
				st.Subscribing++
			}
		}
		for _, t := range r.Tracks() {
			st.Tracks[t.Kind().String()]++
		}
	}
	st.PacketsForwarded = counters.packets.Load()
	st.BytesForwarded = counters.bytes.Load()
	st.NACKsReceived = counters.nacks.Load()
	st.PLIsSent = counters.plis.Load()
	st.LayerSwitches = counters.switches.Load()
	var cum uint64
	for i := range FirstFrameBuckets {
		cum += counters.firstFrame.counts[i].Load()
		st.FirstFrameCounts[i] = cum
	}
	st.FirstFrameCount = cum + counters.firstFrame.counts[len(FirstFrameBuckets)].Load()
	st.FirstFrameSum = time.Duration(counters.firstFrame.sumNs.Load()).Seconds()
	return st
}
