package recorder

import (
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// videoTail remembers what the end of a session needs to finish the
// segment being written: gohlslib's muxer ends a segment only when the
// next keyframe arrives, so without one the lesson's last seconds would
// never leave the muxer. Owned by the session's run goroutine, then by
// close once that goroutine has stopped.
type videoTail struct {
	idr     [][]byte // the latest IDR access unit written (with SPS and PPS)
	last    int64    // PTS of the latest access unit written, 90 kHz
	step    int64    // the latest frame interval, 90 kHz
	started bool
}

// frameStep is the frame interval assumed before two frames are seen.
const frameStep = 90000 / 30

// wrote notes an access unit the muxer took.
func (t *videoTail) wrote(au [][]byte, pts int64) {
	if t.started {
		if d := pts - t.last; d > 0 && d <= 90000 {
			t.step = d
		}
	}
	t.last = pts
	if isIDR(au) {
		t.idr = au
	}
	t.started = true
}

// closing returns the access unit and PTS with which the muxer closes
// the current segment at once, whatever its length: the latest keyframe,
// one frame after the last frame, with its PPS followed by a trailing
// zero byte (allowed by H.264's byte stream, and the same parameters to a
// decoder), which gohlslib takes for new parameters and so for a forced
// segment boundary. Without that change the muxer would keep a segment
// shorter than its minimum open.
func (t *videoTail) closing() ([][]byte, int64) {
	step := t.step
	if step <= 0 {
		step = frameStep
	}
	au := make([][]byte, 0, len(t.idr)+1)
	hasPPS := false
	for _, n := range t.idr {
		if h264.NALUType(n[0]&0x1f) == h264.NALUTypePPS {
			n = append(append(make([]byte, 0, len(n)+1), n...), 0)
			hasPPS = true
		}
		au = append(au, n)
	}
	if !hasPPS {
		return nil, 0
	}
	return au, t.last + step
}

// finishSegment makes the muxer close the segment being written by
// writing the latest keyframe again just after the last frame; the
// repeated frame starts a segment of its own that is never finished and
// never recorded. Called by close after the run goroutine has stopped.
func (s *session) finishSegment() {
	m := s.muxer.Load()
	if m == nil || s.tail.idr == nil {
		return
	}
	au, pts := s.tail.closing()
	if au == nil {
		return
	}
	if err := m.WriteH264(s.vtrack, time.Now(), pts, au); err != nil {
		s.log.Warn("last segment not finished", "err", err)
		return
	}
	s.ready.Store(true)
}
