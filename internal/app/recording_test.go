package app_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/gohlslib/v2/pkg/playlist"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

type recordingList struct {
	Recordings []struct {
		ID          string    `json:"id"`
		State       string    `json:"state"`
		StartedAt   time.Time `json:"started_at"`
		DurationMS  int64     `json:"duration_ms"`
		PlaylistURL string    `json:"playlist_url"`
	} `json:"recordings"`
}

// waitLessonVideo waits for the lesson's first video packet at the SFU
// and returns when it came.
func waitLessonVideo(t *testing.T, s *site, lessonID string) time.Time {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if r := s.app.SFU().Room(lessonID); r != nil {
			for _, tr := range r.Tracks() {
				if tr.Kind() == webrtc.RTPCodecTypeVideo && tr.PacketsReceived() > 0 {
					return time.Now()
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no video reached the SFU")
	return time.Time{}
}

// TestRecordingEndsWithLesson: a teacher publishes H.264 over WHIP and
// ends the lesson over REST 3.5 s into the recording. The recording is
// complete in the listing the moment the REST call returns, its playlist
// is closed (#EXT-X-ENDLIST) and lasts to the end: the segment being
// written when the lesson ended is kept (the clip has a keyframe every
// second, so losing it would lose 0.5 s), and it covers the video the
// SFU received within one GOP. /metrics counts the recording while it is
// written and after.
func TestRecordingEndsWithLesson(t *testing.T) {
	f := newFixture(t)
	pub, err := peer.NewH264Teacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	f.post(t, "whip", f.teacher.joinToken(f.lessonID), pub.PC)
	pub.Start()
	first := waitLessonVideo(t, f.s, f.lessonID)
	base := "/api/v1/lessons/" + f.lessonID + "/recordings"
	var list recordingList
	deadline := time.Now().Add(15 * time.Second)
	for len(list.Recordings) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no recording started")
		}
		time.Sleep(100 * time.Millisecond)
		r := f.teacher.do("GET", base, nil)
		must(t, r, http.StatusOK)
		r.decode(t, &list)
	}
	if list.Recordings[0].State != "recording" {
		t.Fatalf("while live: %+v", list.Recordings)
	}
	start := list.Recordings[0].StartedAt
	time.Sleep(time.Until(start.Add(3500 * time.Millisecond)))
	during := scrape(t, f.s.srv.URL)
	ended := time.Now()
	must(t, f.teacher.do("POST", "/api/v1/lessons/"+f.lessonID+"/status", map[string]string{"status": "ended"}), http.StatusOK)
	after := scrape(t, f.s.srv.URL)
	if during["lectern_recordings_active"] != 1 || after["lectern_recordings_active"] != 0 {
		t.Errorf("lectern_recordings_active %v while recording, %v after the end; want 1, 0",
			during["lectern_recordings_active"], after["lectern_recordings_active"])
	}
	// Three whole segments by 3.5 s, the fourth kept at the end.
	if seg := during["lectern_recording_segments_total"]; seg < 2 || after["lectern_recording_segments_total"] <= seg {
		t.Errorf("lectern_recording_segments_total %v while recording, %v after the end", seg, after["lectern_recording_segments_total"])
	}
	if b := during["lectern_recording_bytes_written_total"]; b <= 0 || after["lectern_recording_bytes_written_total"] <= b {
		t.Errorf("lectern_recording_bytes_written_total %v while recording, %v after the end", b, after["lectern_recording_bytes_written_total"])
	}
	if after["lectern_recording_failures_total"] != 0 {
		t.Errorf("lectern_recording_failures_total %v, want 0", after["lectern_recording_failures_total"])
	}

	r := f.student.do("GET", base, nil)
	must(t, r, http.StatusOK)
	list = recordingList{}
	r.decode(t, &list)
	if len(list.Recordings) != 1 || list.Recordings[0].State != "complete" || list.Recordings[0].PlaylistURL == "" {
		t.Fatalf("the student's list right after the end: %s", r.body)
	}
	rec := list.Recordings[0]
	// The media playlists sit next to the multivariant one, with the same grant.
	path, query, _ := strings.Cut(rec.PlaylistURL, "?")
	res, err := http.Get(f.s.srv.URL + strings.TrimSuffix(path, "index.m3u8") + "video1_stream.m3u8?" + query)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("video playlist: %d %s", res.StatusCode, b)
	}
	var m playlist.Media
	if err := m.Unmarshal(b); err != nil {
		t.Fatalf("video playlist: %v\n%s", err, b)
	}
	var got time.Duration
	for _, s := range m.Segments {
		got += s.Duration
	}
	if !m.Endlist {
		t.Errorf("video playlist not closed:\n%s", b)
	}
	if want := ended.Sub(start); got < want-300*time.Millisecond || got > want+300*time.Millisecond {
		t.Errorf("recording lasts %v, from its first keyframe to the end %v: want ±300 ms (the last segment kept)", got, want)
	}
	if sent := ended.Sub(first); got < sent-time.Second || got > sent+100*time.Millisecond {
		t.Errorf("recording lasts %v; the SFU received %v of video: want within one GOP (1 s) below, a few frames above", got, sent)
	}
	if d := time.Duration(rec.DurationMS) * time.Millisecond; d != got.Truncate(time.Millisecond) {
		t.Errorf("listed duration %v, the playlist's %v", d, got)
	}
	t.Logf("video at the SFU %v, from the first keyframe %v, recorded %v", ended.Sub(first), ended.Sub(start), got)
}

// TestKilledDuringRecording: a server in a child process records a lesson
// published over WHIP and is SIGKILLed mid-recording. Its playlist on disk
// is left open; the next start closes it (#EXT-X-ENDLIST), marks the
// recording interrupted and truncated with the length written, and the
// replay decodes from start to end with ffmpeg.
func TestKilledDuringRecording(t *testing.T) {
	bin, err := exec.LookPath("ffmpeg")
	testenv.Require(t, "ffmpeg", err)
	dir := t.TempDir()
	url, kill := childServer(t, dir, "")
	const lesson = "killed-rec"
	tok, err := mustSigner(t).Issue(token.Claims{Lesson: lesson, User: "teacher", Name: "Teacher", Role: token.RoleTeacher,
		Permissions: token.DefaultPermissions(token.RoleTeacher), Operator: true}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := peer.NewH264Teacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	connectSDP(t, url+"/whip/"+lesson, tok, pub.PC)
	pub.Start()

	// Kill once the recording on disk has three segments.
	var video string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no recording with three segments on disk")
		}
		names, _ := filepath.Glob(filepath.Join(dir, "recordings", lesson, "*", "video1_stream.m3u8"))
		if len(names) == 1 {
			if b, err := os.ReadFile(names[0]); err == nil && strings.Count(string(b), "#EXTINF") >= 3 {
				video = names[0]
				break
			}
		}
	}
	kill()
	b, err := os.ReadFile(video)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "#EXT-X-ENDLIST") {
		t.Fatalf("the playlist was closed before the restart:\n%s", b)
	}

	a, srv := start(t, dir, "")
	defer func() { srv.Close(); _ = a.Close() }()
	list, err := a.Recorder().Recordings(lesson)
	if err != nil || len(list) != 1 {
		t.Fatalf("recordings after the restart: %+v %v", list, err)
	}
	rec := list[0]
	if rec.State != "interrupted" || !rec.Truncated || rec.EndedAt.IsZero() || rec.DurationMS < 2000 {
		t.Errorf("after the restart: %+v, want interrupted, truncated, ended, the seconds written", rec)
	}
	b, _ = os.ReadFile(video)
	var m playlist.Media
	if err := m.Unmarshal(b); err != nil || !m.Endlist {
		t.Fatalf("after the restart the playlist is not closed (%v):\n%s", err, b)
	}
	var length time.Duration
	for _, s := range m.Segments {
		length += s.Duration
	}
	if rec.DurationMS != length.Milliseconds() {
		t.Errorf("stored duration %d ms, the playlist's %v", rec.DurationMS, length)
	}
	// The replay decodes to its end: every segment it names is there.
	dec := exec.Command(bin, "-nostdin", "-v", "error", "-i", filepath.Join(filepath.Dir(video), "index.m3u8"), "-f", "null", "-")
	if o, err := dec.CombinedOutput(); err != nil || len(bytes.TrimSpace(o)) > 0 {
		t.Errorf("ffmpeg decoding the replay: %v\n%s", err, o)
	}
	t.Logf("%v recorded before SIGKILL, %d segments", length, len(m.Segments))
}
