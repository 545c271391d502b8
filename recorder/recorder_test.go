package recorder_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/pion/webrtc/v4"
)

type rig struct {
	sfu    *sfu.SFU
	st     *store.Store
	rec    *recorder.Recorder
	grants *recorder.Grants
	srv    *httptest.Server
	dir    string
}

func newRig(t *testing.T, opts ...recorder.Option) *rig {
	t.Helper()
	log := peer.TestLog()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := peer.SFU(t)
	dir := t.TempDir()
	st := storetest.SQLite(t)
	rec, err := recorder.New(s, dir, st, append([]recorder.Option{recorder.WithLogger(log), recorder.WithGrace(300 * time.Millisecond),
		recorder.WithMinFree(0), recorder.WithKeyframeInterval(time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rec.Close() })
	g := recorder.NewGrants([]byte("0123456789abcdef0123456789abcdef"))
	srv := httptest.NewServer(rec.Handler(recorder.GrantAuthorizer{Grants: g}))
	t.Cleanup(srv.Close)
	return &rig{sfu: s, st: st, rec: rec, grants: g, srv: srv, dir: dir}
}

// publishH264 makes a Pion teacher publish the committed H.264 clip and
// Opus sound into room; it returns a function that ends the publication.
func (rg *rig) publishH264(t *testing.T, room string) func() {
	t.Helper()
	pub, err := peer.NewH264Teacher()
	if err != nil {
		t.Fatal(err)
	}
	part, err := rg.sfu.Join(room, sfu.ParticipantConfig{ID: "teacher", Publish: true})
	if err != nil {
		t.Fatal(err)
	}
	peer.PublishesTo(t, part, pub.PC, nil)
	pub.Start()
	stop := func() { part.Close(); pub.Close() }
	t.Cleanup(stop)
	return stop
}

func (rg *rig) get(t *testing.T, path string) (int, http.Header, []byte) {
	t.Helper()
	res, err := http.Get(rg.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// waitVideo waits for the first video packet of lesson at the SFU, where
// the lesson's media starts, and returns when it came.
func (rg *rig) waitVideo(t *testing.T, lesson string) time.Time {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if r := rg.sfu.Room(lesson); r != nil {
			for _, tr := range r.Tracks() {
				if tr.Kind() == webrtc.RTPCodecTypeVideo && tr.PacketsReceived() > 0 {
					return time.Now()
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no video reached the SFU")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLive polls the live playlist until it answers 200.
func (rg *rig) waitLive(t *testing.T, lesson, q string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		code, _, body := rg.get(t, "/hls/"+lesson+"/index.m3u8?"+q)
		if code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("live playlist: %d %s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type probe struct {
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
}

func ffprobe(t *testing.T, url string) probe {
	t.Helper()
	bin, err := exec.LookPath("ffprobe")
	testenv.Require(t, "ffprobe", err)
	out, err := exec.Command(bin, "-v", "error", "-rw_timeout", "5000000", "-show_streams", "-show_format", "-of", "json", url).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("ffprobe %s: %v %s", url, err, stderr)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p probe) codecs() map[string]string {
	m := map[string]string{}
	for _, s := range p.Streams {
		m[s.CodecType] = s.CodecName
	}
	return m
}

// TestLiveAndRecordedHLS: a WebRTC H.264 + Opus publisher → the live
// playlist ffprobes as H.264 at the source's size with Opus; the lesson
// ends → the recording's VOD playlist has #EXT-X-ENDLIST and ffprobes to
// the lesson's length ±2 s; access without a grant is 403, unknown lessons
// and escaping paths are 404, caching headers fit a CDN.
func TestLiveAndRecordedHLS(t *testing.T) {
	_, err := exec.LookPath("ffprobe")
	testenv.Require(t, "ffprobe", err)
	rg := newRig(t)
	const lesson = "lesson-rec"
	stop := rg.publishH264(t, lesson)
	start := rg.waitVideo(t, lesson)
	q := "access=" + rg.grants.Issue(lesson, time.Minute)
	rg.waitLive(t, lesson, q)

	if code, _, _ := rg.get(t, "/hls/"+lesson+"/index.m3u8"); code != http.StatusForbidden {
		t.Errorf("no grant: %d, want 403", code)
	}
	expired := rg.grants.Issue(lesson, -time.Second)
	if code, _, _ := rg.get(t, "/hls/"+lesson+"/index.m3u8?access="+expired); code != http.StatusForbidden {
		t.Errorf("expired grant: %d, want 403", code)
	}
	other := rg.grants.Issue("another-lesson", time.Minute)
	if code, _, _ := rg.get(t, "/hls/"+lesson+"/index.m3u8?access="+other); code != http.StatusForbidden {
		t.Errorf("another lesson's grant: %d, want 403", code)
	}
	if code, _, _ := rg.get(t, "/hls/nosuchlesson/index.m3u8?"+q); code != http.StatusNotFound {
		t.Errorf("unknown lesson: %d, want 404", code)
	}
	if code, _, _ := rg.get(t, "/hls/"+lesson+"/%2e%2e?"+q); code != http.StatusNotFound {
		t.Errorf("..: %d, want 404", code)
	}
	code, hdr, body := rg.get(t, "/hls/"+lesson+"/index.m3u8?"+q)
	if code != http.StatusOK || !strings.Contains(hdr.Get("Cache-Control"), "max-age=1") {
		t.Errorf("live playlist: %d cache %q", code, hdr.Get("Cache-Control"))
	}
	if !strings.Contains(string(body), q) {
		t.Errorf("live playlist does not carry the grant on its URIs:\n%s", body)
	}

	// Let a few segments pass the live window, then probe it.
	time.Sleep(3 * time.Second)
	p := ffprobe(t, rg.srv.URL+"/hls/"+lesson+"/index.m3u8?"+q)
	if c := p.codecs(); c["video"] != "h264" || c["audio"] != "opus" {
		t.Errorf("live codecs %v, want h264 + opus", c)
	}
	for _, s := range p.Streams {
		if s.CodecType == "video" && (s.Width != 320 || s.Height != 240) {
			t.Errorf("live video %dx%d, want the source's 320x240", s.Width, s.Height)
		}
	}

	time.Sleep(3 * time.Second)
	stop()
	length := time.Since(start)
	var infos []recorder.Info
	deadline := time.Now().Add(10 * time.Second)
	for {
		infos, err = rg.rec.Recordings(lesson)
		if err != nil {
			t.Fatal(err)
		}
		if len(infos) == 1 && infos[0].State == recorder.StateComplete {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("recording not complete: %+v", infos)
		}
		time.Sleep(100 * time.Millisecond)
	}
	info := infos[0]
	if info.Size == 0 {
		t.Errorf("recording size 0")
	}
	base := "/hls/" + lesson + "/rec/" + info.ID + "/"
	if code, _, _ := rg.get(t, base+"index.m3u8?"+q); code != http.StatusForbidden {
		t.Errorf("recording with the live grant: %d, want 403", code)
	}
	q = "access=" + rg.grants.Issue(recorder.RecordingScope(lesson, info.ID), time.Minute)
	if code, _, _ := rg.get(t, base+"index.m3u8"); code != http.StatusForbidden {
		t.Errorf("recording without grant: %d, want 403", code)
	}
	for _, name := range []string{"video1_stream.m3u8", "audio2_stream.m3u8"} {
		b, err := os.ReadFile(filepath.Join(rg.dir, lesson, info.ID, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "#EXT-X-ENDLIST") || !strings.Contains(string(b), "#EXT-X-PLAYLIST-TYPE:VOD") {
			t.Errorf("%s is not a finished VOD playlist:\n%s", name, b)
		}
	}
	p = ffprobe(t, rg.srv.URL+base+"index.m3u8?"+q)
	if c := p.codecs(); c["video"] != "h264" || c["audio"] != "opus" {
		t.Errorf("recorded codecs %v, want h264 + opus", c)
	}
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	got := time.Duration(d * float64(time.Second))
	if got < length-2*time.Second || got > length+2*time.Second {
		t.Errorf("recording lasts %v, the lesson %v: want ±2 s", got, length)
	}
	t.Logf("lesson %v, recording %v, %d bytes", length, got, info.Size)
	code, hdr, _ = rg.get(t, base+"video1_stream.m3u8?"+q)
	if code != http.StatusOK || !strings.Contains(hdr.Get("Cache-Control"), "max-age=10") {
		t.Errorf("VOD playlist %d cache %q", code, hdr.Get("Cache-Control"))
	}
}
