package recorder_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bluenviron/gohlslib/v2/pkg/playlist"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/sfu"
	"github.com/pion/webrtc/v4"
)

// smallDisk gives each recording directory a disk of size bytes: a write
// that does not fit writes what fits, then fails with ENOSPC, as a full
// file system does. An unprivileged test cannot mount a small file system
// (and a loop mount as root would make the test depend on privileges CI
// may not have); the recorder's Files hook takes its place.
type smallDisk struct {
	size int64

	mu     sync.Mutex // serialises writes, so usage is measured between them
	failed int
}

func (d *smallDisk) WriteFile(name string, b []byte, flag int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var used int64
	entries, _ := os.ReadDir(filepath.Dir(name))
	for _, e := range entries {
		if info, err := e.Info(); err == nil && !(flag&os.O_TRUNC != 0 && e.Name() == filepath.Base(name)) {
			used += info.Size()
		}
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|flag, 0o640)
	if err != nil {
		return err
	}
	defer f.Close()
	if room := d.size - used; int64(len(b)) > room {
		_, _ = f.Write(b[:max(room, 0)])
		d.failed++
		return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
	}
	_, err = f.Write(b)
	return err
}

// lockedBuffer collects a logger's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// play makes a WHEP player of lesson (a WebRTC subscriber through the SFU's
// forwarding) and returns its received video.
func (rg *rig) play(t *testing.T, lesson string) *peer.Received {
	t.Helper()
	sub := peer.Player(t)
	part, err := rg.sfu.Join(lesson, sfu.ParticipantConfig{ID: "player"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(part.Close)
	if err := peer.OfferAnswer(sub.PC, part.Play); err != nil {
		t.Fatal(err)
	}
	v := sub.WaitTrack(webrtc.RTPCodecTypeVideo, 10*time.Second)
	if v == nil || !v.WaitKeyframe(10*time.Second) {
		t.Fatal("the WHEP player received no video")
	}
	return v
}

// TestDiskFullDuringRecording: the recording's disk fills after a few
// seconds. The recording stops with what was written: its playlists are
// closed and name only whole segments, it is marked stopped and
// truncated with the cause, the teacher is notified and an error is
// logged; the WebRTC player and live HLS carry on.
func TestDiskFullDuringRecording(t *testing.T) {
	disk := &smallDisk{size: 160 << 10}
	logs := &lockedBuffer{}
	var notified []error
	var nmu sync.Mutex
	rg := newRig(t, recorder.WithFiles(disk), recorder.WithGrace(time.Hour),
		recorder.WithLogger(slog.New(slog.NewTextHandler(logs, nil))),
		recorder.WithNotifier(recorder.NotifierFunc(func(_ string, err error) {
			nmu.Lock()
			notified = append(notified, err)
			nmu.Unlock()
		})))
	const lesson = "lesson-full"
	rg.publishH264(t, lesson)
	rg.waitVideo(t, lesson)
	video := rg.play(t, lesson)

	var info recorder.Info
	deadline := time.Now().Add(30 * time.Second)
	for info.State != recorder.StateStopped {
		if time.Now().After(deadline) {
			t.Fatalf("the recording did not stop on a full disk: %+v", info)
		}
		time.Sleep(200 * time.Millisecond)
		if l, _ := rg.rec.Recordings(lesson); len(l) == 1 {
			info = l[0]
		}
	}
	if !info.Truncated || !strings.Contains(info.Reason, "no space left") || info.EndedAt.IsZero() || info.DurationMS < 1000 {
		t.Errorf("stopped recording: %+v, want truncated, the cause, an end and the seconds written", info)
	}
	nmu.Lock()
	if len(notified) != 1 || !errors.Is(notified[0], syscall.ENOSPC) {
		t.Errorf("the teacher was told %v, want one ENOSPC", notified)
	}
	nmu.Unlock()
	if st := rg.rec.Stats(); st.Failures != 1 || st.Active != 0 || st.Segments == 0 || st.Bytes == 0 {
		t.Errorf("recorder stats after the disk filled: %+v, want 1 failure, none active, segments and bytes written", st)
	}
	if l := logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "recording stopped") {
		t.Errorf("no error logged:\n%s", l)
	}

	// What was written is a closed recording of whole segments.
	dir := filepath.Join(rg.dir, lesson, info.ID)
	var videoLen time.Duration
	for _, name := range []string{"video1_stream.m3u8", "audio2_stream.m3u8"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var m playlist.Media
		if err := m.Unmarshal(b); err != nil || !m.Endlist || len(m.Segments) == 0 {
			t.Fatalf("%s: %v, want a closed playlist with segments:\n%s", name, err, b)
		}
		for _, s := range append([]*playlist.MediaSegment{{URI: m.Map.URI}}, m.Segments...) {
			if st, err := os.Stat(filepath.Join(dir, s.URI)); err != nil || st.Size() == 0 {
				t.Errorf("%s names %s: %v", name, s.URI, err)
			}
		}
		if name == "video1_stream.m3u8" {
			videoLen = mediaDuration(&m)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmp) > 0 {
		t.Errorf("partial files left: %v", tmp)
	}
	if d := time.Duration(info.DurationMS) * time.Millisecond; d != videoLen.Truncate(time.Millisecond) {
		t.Errorf("stored duration %v, the playlist's %v", d, videoLen)
	}
	q := "access=" + rg.grants.Issue(recorder.RecordingScope(lesson, info.ID), time.Minute)
	p := ffprobe(t, rg.srv.URL+"/hls/"+lesson+"/rec/"+info.ID+"/index.m3u8?"+q)
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	if c := p.codecs(); c["video"] != "h264" || d < videoLen.Seconds()-0.5 {
		t.Errorf("the truncated recording ffprobes as %v, %.2f s; its playlist says %v", c, d, videoLen)
	}

	// Forwarding and live HLS go on.
	before := video.Stats()
	time.Sleep(2 * time.Second)
	after := video.Stats()
	if after.Frames-before.Frames < 40 || after.Lost > before.Lost+5 {
		t.Errorf("the WebRTC player after the disk filled: %d frames in 2 s, %d packets lost", after.Frames-before.Frames, after.Lost-before.Lost)
	}
	if code, _, body := rg.get(t, "/hls/"+lesson+"/index.m3u8?access="+rg.grants.Issue(lesson, time.Minute)); code != http.StatusOK {
		t.Errorf("live HLS after the disk filled: %d %s", code, body)
	}
	t.Logf("recorded %v before the disk filled (%d failed writes)", videoLen, disk.failed)
}

func mediaDuration(m *playlist.Media) time.Duration {
	var d time.Duration
	for _, s := range m.Segments {
		d += s.Duration
	}
	return d
}
