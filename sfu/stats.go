package sfu

import (
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// counters are one SFU's media figures: atomic adds on the media path,
// read at scrape time by Stats. They only ever grow. Every track and
// down-track points at its SFU's (unowned for those built without one,
// in tests).
type counters struct {
	packets  atomic.Uint64 // RTP packets written to subscribers
	bytes    atomic.Uint64 // their bytes (payload + 12-byte header)
	nacks    atomic.Uint64 // NACK packets received from subscribers
	plis     atomic.Uint64 // keyframe requests (PLI) sent to publishers
	switches atomic.Uint64 // layer changes made at a keyframe
	rtcpBad  atomic.Uint64 // malformed RTCP packets from subscribers, dropped

	// firstFrame is the time from a video subscription to its first
	// forwarded keyframe.
	firstFrame histogram
}

// unowned counts for tracks and down-tracks that belong to no SFU.
var unowned counters

// ctrOf returns c, or unowned when nil.
func ctrOf(c *counters) *counters {
	if c == nil {
		return &unowned
	}
	return c
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
		d.ctr.firstFrame.observe(time.Duration(now - d.created))
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
	// RTCPMalformed counts RTCP packets from subscribers and players
	// that were dropped as malformed (rtcpsink.go).
	RTCPMalformed uint64

	// FirstFrameCounts are cumulative counts per FirstFrameBuckets bound;
	// FirstFrameCount and FirstFrameSum (seconds) cover every observation.
	FirstFrameCounts [len(FirstFrameBuckets)]uint64
	FirstFrameCount  uint64
	FirstFrameSum    float64

	// EstimateCounts are, per EstimateBuckets bound, how many
	// subscribing connections have a bandwidth estimate at or below it
	// now (a snapshot, not a running count); EstimateCount and
	// EstimateSum (bits per second) cover every subscribing connection.
	EstimateCounts [len(EstimateBuckets)]int
	EstimateCount  int
	EstimateSum    float64
}

// EstimateBuckets are the upper bounds, in bits per second, of the
// subscribers' bandwidth estimates in Stats: around the costs of the
// browser client's layers (150 k, 500 k, 1.5 M) and audio.
var EstimateBuckets = [...]float64{100e3, 200e3, 300e3, 500e3, 750e3, 1e6, 1.5e6, 2e6, 3e6, 5e6}

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
			if e := p.Estimate(); e > 0 {
				st.EstimateCount++
				st.EstimateSum += float64(e)
				for i, b := range EstimateBuckets {
					if float64(e) <= b {
						st.EstimateCounts[i]++
					}
				}
			}
		}
		for _, t := range r.Tracks() {
			st.Tracks[t.Kind().String()]++
		}
	}
	c := &s.ctr
	st.PacketsForwarded = c.packets.Load()
	st.BytesForwarded = c.bytes.Load()
	st.NACKsReceived = c.nacks.Load()
	st.PLIsSent = c.plis.Load()
	st.LayerSwitches = c.switches.Load()
	st.RTCPMalformed = c.rtcpBad.Load()
	var cum uint64
	for i := range FirstFrameBuckets {
		cum += c.firstFrame.counts[i].Load()
		st.FirstFrameCounts[i] = cum
	}
	st.FirstFrameCount = cum + c.firstFrame.counts[len(FirstFrameBuckets)].Load()
	st.FirstFrameSum = time.Duration(c.firstFrame.sumNs.Load()).Seconds()
	return st
}
