package recorder_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluenviron/gohlslib/v2/pkg/playlist"
	"github.com/lectern/lectern/recorder"
)

// gop is the keyframe interval of the committed H.264 clip.
const gop = time.Second

// playlistLength reads a recorded media playlist and returns the sum of
// its segments' durations and whether it is closed (#EXT-X-ENDLIST).
func playlistLength(t *testing.T, path string) (time.Duration, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m playlist.Media
	if err := m.Unmarshal(b); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
	return mediaDuration(&m), m.Endlist
}

// TestEndKeepsLastSegment: End (the lesson ended) closes the recording at
// once, complete, and the segment that was being written is kept. The
// publisher's keyframes come every second (the recorder asks for none), so
// segments are one second long; the lesson ends 3.5 s after the
// recording's first keyframe, half-way through its fourth segment: the
// recording lasts 3.5 s (3 s if the last segment were lost), and covers
// the video the SFU received within one GOP.
func TestEndKeepsLastSegment(t *testing.T) {
	rg := newRig(t, recorder.WithGrace(time.Hour), recorder.WithKeyframeInterval(time.Hour))
	const lesson = "lesson-end"
	rg.publishH264(t, lesson)
	first := rg.waitVideo(t, lesson)
	rg.waitLive(t, lesson, "access="+rg.grants.Issue(lesson, time.Minute))
	infos, err := rg.rec.Recordings(lesson)
	if err != nil || len(infos) != 1 {
		t.Fatalf("recordings while live: %+v %v", infos, err)
	}
	start := infos[0].StartedAt
	time.Sleep(time.Until(start.Add(3500 * time.Millisecond)))
	ended := time.Now()
	rg.rec.End(lesson)

	infos, err = rg.rec.Recordings(lesson)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != 1 || infos[0].State != recorder.StateComplete || infos[0].EndedAt.IsZero() {
		t.Fatalf("right after End: %+v, want one complete recording", infos)
	}
	got, closed := playlistLength(t, filepath.Join(rg.dir, lesson, infos[0].ID, "video1_stream.m3u8"))
	if !closed {
		t.Errorf("video playlist has no #EXT-X-ENDLIST")
	}
	audio, closed := playlistLength(t, filepath.Join(rg.dir, lesson, infos[0].ID, "audio2_stream.m3u8"))
	if !closed || audio < got-200*time.Millisecond || audio > got+200*time.Millisecond {
		t.Errorf("audio playlist: %v closed=%v, the video %v", audio, closed, got)
	}
	if want := ended.Sub(start); got < want-200*time.Millisecond || got > want+200*time.Millisecond {
		t.Errorf("recording lasts %v, from its first keyframe to the end %v: want ±200 ms (the last segment kept)", got, want)
	}
	if sent := ended.Sub(first); got < sent-gop || got > sent+100*time.Millisecond {
		t.Errorf("recording lasts %v; the SFU received %v of video before the end: want within one GOP (%v) below, a few frames above", got, sent, gop)
	}
	if d := time.Duration(infos[0].DurationMS) * time.Millisecond; d != got.Truncate(time.Millisecond) {
		t.Errorf("recording's duration %v, its playlist %v", d, got)
	}
	t.Logf("video at the SFU %v, recording from its first keyframe %v, recorded %v", ended.Sub(first), ended.Sub(start), got)

	// The room is still open: no second recording starts for the lesson.
	time.Sleep(time.Second)
	if infos, _ := rg.rec.Recordings(lesson); len(infos) != 1 {
		t.Errorf("after End with the room open: %d recordings, want 1", len(infos))
	}
}
