package recorder

import (
	"sync/atomic"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
)

// aacQueue is how many AAC access units a feed holds for its session
// (about 1.4 s at 48 kHz); beyond it units are dropped, the RTMP reader
// never waits.
const aacQueue = 64

// aacFeed carries an RTMP publisher's AAC into its lesson's live HLS and
// recording as it is, in place of the Opus that the SFU carries for the
// WebRTC students (which RTMP ingest makes from the same AAC). A session
// takes the feed present when its muxer starts (at the first keyframe).
type aacFeed struct {
	r       *Recorder
	lesson  string
	conf    mpeg4audio.AudioSpecificConfig
	ch      chan aacUnit
	closed  atomic.Bool
	dropped atomic.Uint64
}

type aacUnit struct {
	pts time.Duration // the publisher's timestamp
	at  time.Time     // arrival
	au  []byte
}

// AACFeed starts a lesson's AAC feed (replacing any earlier one), in the
// shape RTMP ingest takes (rtmpingest.Config.AAC): the publisher's reader
// writes access units with their timestamps, and calls done when it goes.
func (r *Recorder) AACFeed(lessonID string, conf mpeg4audio.AudioSpecificConfig) (write func(time.Duration, []byte), done func()) {
	f := &aacFeed{r: r, lesson: lessonID, conf: conf, ch: make(chan aacUnit, aacQueue)}
	r.mu.Lock()
	r.aac[lessonID] = f
	r.mu.Unlock()
	return f.write, f.close
}

// write hands over one access unit with the publisher's timestamp; it
// copies au and never blocks.
func (f *aacFeed) write(pts time.Duration, au []byte) {
	if f.closed.Load() {
		return
	}
	select {
	case f.ch <- aacUnit{pts: pts, at: time.Now(), au: append([]byte(nil), au...)}:
	default:
		f.dropped.Add(1)
	}
}

// close ends the feed.
func (f *aacFeed) close() {
	if f.closed.Swap(true) {
		return
	}
	f.r.mu.Lock()
	if f.r.aac[f.lesson] == f {
		delete(f.r.aac, f.lesson)
	}
	f.r.mu.Unlock()
}

func (r *Recorder) feedFor(lessonID string) *aacFeed {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.aac[lessonID]
}

// aacClock turns a feed's timestamps into the session's presentation
// time, anchored like the other tracks at the first unit's arrival.
type aacClock struct {
	started bool
	base    time.Duration // the first unit's timestamp
	offset  time.Duration // the first unit's arrival since the session started
}

func (c *aacClock) pts(u aacUnit, start time.Time, rate int) int64 {
	if !c.started {
		c.started, c.base, c.offset = true, u.pts, u.at.Sub(start)
	}
	return int64(c.offset+u.pts-c.base) * int64(rate) / int64(time.Second)
}

// writeAAC muxes one unit of the session's feed.
func (s *session) writeAAC(u aacUnit) {
	m := s.muxer.Load()
	if m == nil || s.atrack == nil || u.at.Before(s.start) {
		return
	}
	pts := s.aacTime.pts(u, s.start, s.atrack.ClockRate)
	if err := m.WriteMPEG4Audio(s.atrack, u.at, pts, [][]byte{u.au}); err != nil {
		s.log.Debug("AAC not muxed", "err", err)
	}
}
