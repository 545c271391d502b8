package recorder

import (
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluenviron/gohlslib/v2"
	"github.com/bluenviron/gohlslib/v2/pkg/codecs"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// segmentMin is the shortest segment the muxer makes; a segment ends at the
// first keyframe after it.
const segmentMin = time.Second

// session is one lesson's live HLS stream and, when the lesson is
// recorded, its recording. One goroutine drains the tap and feeds the
// muxer; another (the archive's) copies finished segments to disk.
type session struct {
	r      *Recorder
	lesson string
	log    *slog.Logger
	tap    *sfu.Tap
	record bool

	muxer atomic.Pointer[gohlslib.Muxer] // nil until the first IDR
	ready atomic.Bool                    // the muxer has a finished segment: playlists answer at once
	arch  atomic.Pointer[archive]        // nil when not recording

	// Owned by the run goroutine.
	vtrack, atrack *gohlslib.Track
	dep            h264Depacketizer
	start          time.Time
	firstIDR       int64
	video, audio   clock
	aac            *aacFeed // the RTMP publisher's AAC, taken in place of the tap's Opus
	aacTime        aacClock
	skipped        string // codec of the main video last refused, for one log line per change
	tail           videoTail

	goneSince time.Time // guarded by Recorder.mu: when the room was last seen gone

	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup
}

// clock unwraps one track's RTP timestamps into a presentation time that
// starts at the track's first packet's arrival since the session started.
type clock struct {
	started bool
	last    uint32
	ext     int64
	offset  int64
}

func (c *clock) pts(ts uint32, rate int, since time.Duration) int64 {
	if !c.started {
		c.started, c.last = true, ts
		c.offset = int64(since) * int64(rate) / int64(time.Second)
		return c.offset
	}
	c.ext += int64(int32(ts - c.last))
	c.last = ts
	return c.offset + c.ext
}

func newSession(r *Recorder, lesson string, record bool) *session {
	s := &session{r: r, lesson: lesson, log: r.log.With("lesson", lesson), tap: r.src.Tap(lesson, sfu.TapVideoCodecs(webrtc.MimeTypeH264)), record: record,
		done: make(chan struct{})}
	s.wg.Add(1)
	go s.run()
	return s
}

func (s *session) run() {
	defer s.wg.Done()
	kf := time.NewTicker(s.r.keyframeEvery)
	defer kf.Stop()
	for {
		var aac chan aacUnit // nil (never ready) without a feed
		if s.aac != nil {
			aac = s.aac.ch
		}
		select {
		case <-s.done:
			return
		case <-kf.C:
			s.tap.RequestKeyframe()
		case p := <-s.tap.Packets():
			s.handle(p)
			s.tap.Release(p)
		case u := <-aac:
			s.writeAAC(u)
		}
	}
}

func (s *session) handle(p *sfu.TapPacket) {
	now := time.Now()
	switch p.Kind {
	case webrtc.RTPCodecTypeVideo:
		if !strings.EqualFold(p.Codec.MimeType, webrtc.MimeTypeH264) {
			if s.skipped != p.Codec.MimeType {
				s.skipped = p.Codec.MimeType
				s.log.Warn("main video is not H.264: not recorded until it is", "codec", p.Codec.MimeType)
			}
			return
		}
		s.skipped = ""
		s.dep.push(p.Header.SequenceNumber, p.Header.Timestamp, p.Header.Marker, p.Payload, func(au [][]byte, ts uint32) {
			s.writeVideo(au, ts, now)
		})
	case webrtc.RTPCodecTypeAudio:
		m := s.muxer.Load()
		if m == nil || s.atrack == nil || s.aac != nil || !strings.EqualFold(p.Codec.MimeType, webrtc.MimeTypeOpus) {
			return
		}
		pts := s.audio.pts(p.Header.Timestamp, 48000, now.Sub(s.start))
		if err := m.WriteOpus(s.atrack, now, pts, [][]byte{append([]byte(nil), p.Payload...)}); err != nil {
			s.log.Debug("opus not muxed", "err", err)
		}
	}
}

func (s *session) writeVideo(au [][]byte, ts uint32, now time.Time) {
	m := s.muxer.Load()
	if m == nil {
		if !isIDR(au) {
			s.tap.RequestKeyframe()
			return
		}
		var err error
		if m, err = s.startMuxer(now); err != nil {
			s.log.Error("HLS muxer did not start", "err", err)
			return
		}
	}
	pts := s.video.pts(ts, 90000, now.Sub(s.start))
	if err := m.WriteH264(s.vtrack, now, pts, au); err != nil {
		s.log.Debug("H.264 not muxed", "err", err)
		return
	}
	s.tail.wrote(au, pts)
	if !s.ready.Load() && isIDR(au) {
		if s.firstIDR < 0 {
			s.firstIDR = pts
		} else if time.Duration(pts-s.firstIDR)*time.Second/90000 >= segmentMin {
			s.ready.Store(true)
		}
	}
}

// startMuxer creates the muxer at the first IDR, with an audio track when
// the tap has a microphone.
func (s *session) startMuxer(now time.Time) (*gohlslib.Muxer, error) {
	s.vtrack = &gohlslib.Track{Codec: &codecs.H264{}, ClockRate: 90000}
	tracks := []*gohlslib.Track{s.vtrack}
	if f := s.r.feedFor(s.lesson); f != nil {
		conf := f.conf
		s.aac = f
		s.atrack = &gohlslib.Track{Codec: &codecs.MPEG4Audio{Config: conf}, ClockRate: conf.SampleRate}
		tracks = append(tracks, s.atrack)
	} else if _, a := s.tap.Sources(); a != nil && strings.EqualFold(a.Codec().MimeType, webrtc.MimeTypeOpus) {
		s.atrack = &gohlslib.Track{Codec: &codecs.Opus{ChannelCount: 2}, ClockRate: 48000}
		tracks = append(tracks, s.atrack)
	}
	m := &gohlslib.Muxer{
		Tracks:             tracks,
		Variant:            gohlslib.MuxerVariantLowLatency,
		SegmentCount:       7,
		SegmentMinDuration: segmentMin,
		PartMinDuration:    200 * time.Millisecond,
		OnEncodeError:      func(err error) { s.log.Warn("HLS encode error", "err", err) },
	}
	if err := m.Start(); err != nil {
		return nil, err
	}
	s.start = now
	s.firstIDR = -1
	s.muxer.Store(m)
	s.log.Info("live HLS started", "audio", s.atrack != nil, "aac", s.aac != nil)
	if s.record {
		a, err := s.r.newArchive(s)
		if err != nil {
			s.log.Error("recording not started", "err", err)
			s.r.notify(s.lesson, err)
		} else {
			s.arch.Store(a)
		}
	}
	return m, nil
}

// close ends the session: the tap, the muxer and, last, the recording,
// whose playlists get #EXT-X-ENDLIST. It is idempotent.
func (s *session) close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.wg.Wait()
		s.finishSegment()
		s.tap.Close()
		if a := s.arch.Load(); a != nil {
			a.close()
		}
		if m := s.muxer.Load(); m != nil {
			m.Close()
		}
		var aacDropped uint64
		if s.aac != nil {
			aacDropped = s.aac.dropped.Load()
		}
		s.log.Info("HLS session ended", "dropped", s.tap.Dropped(), "aac_dropped", aacDropped)
	})
}
