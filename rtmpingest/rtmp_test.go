package rtmpingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/recorder"
	"github.com/lectern/lectern/rtmpingest"
	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/store/storetest"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

type rig struct {
	sfu  *sfu.SFU
	rtmp *rtmpingest.Server
	keys *rtmpingest.Keys
	rec  *recorder.Recorder
	hls  *httptest.Server
	g    *recorder.Grants
	log  *bytes.Buffer
	mu   *sync.Mutex
}

type lockedBuf struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func newRig(t *testing.T) *rig {
	t.Helper()
	buf, mu := &bytes.Buffer{}, &sync.Mutex{}
	var h slog.Handler = slog.NewTextHandler(lockedBuf{mu, buf}, nil)
	log := slog.New(h)
	s := peer.SFU(t)
	rec, err := recorder.New(s, t.TempDir(), storetest.SQLite(t), recorder.WithMinFree(0), recorder.WithGrace(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rec.Close() })
	keys := rtmpingest.NewKeys(secret)
	srv, err := rtmpingest.Listen("127.0.0.1:0", rtmpingest.Config{SFU: s, Keys: keys, Logger: log, AAC: rec.AACFeed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	g := recorder.NewGrants(secret)
	hs := httptest.NewServer(rec.Handler(recorder.GrantAuthorizer{Grants: g}))
	t.Cleanup(hs.Close)
	return &rig{sfu: s, rtmp: srv, keys: keys, rec: rec, hls: hs, g: g, log: buf, mu: mu}
}

func (rg *rig) logs() string {
	rg.mu.Lock()
	defer rg.mu.Unlock()
	return rg.log.String()
}

// push starts ffmpeg publishing testsrc2 + sine (H.264 + AAC) to key.
func (rg *rig) push(t *testing.T, key string, seconds int, vcodec ...string) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("ffmpeg")
	testenv.Require(t, "ffmpeg", err)
	v := []string{"-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-bf", "0", "-g", "30", "-pix_fmt", "yuv420p"}
	if len(vcodec) > 0 {
		v = vcodec
	}
	args := append([]string{"-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"}, v...)
	args = append(args, "-c:a", "aac", "-b:a", "96k", "-t", fmt.Sprint(seconds), "-f", "flv",
		"rtmp://"+rg.rtmp.Addr().String()+"/live/"+key)
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// whep plays the lesson as a WHEP player would and counts what arrives.
type whep struct {
	videoPkts, audioPkts atomic.Int64
	width, height        atomic.Int64
	mime                 atomic.Value
}

func (rg *rig) play(t *testing.T, lesson string) *whep {
	t.Helper()
	pc := peer.Conn(t)
	peer.ReceiveOnly(t, pc)
	w := &whep{}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			for {
				p, _, err := tr.ReadRTP()
				if err != nil {
					return
				}
				// An Opus packet starts with a TOC byte; 20 ms CELT/hybrid/SILK frames.
				if len(p.Payload) > 1 {
					w.audioPkts.Add(1)
				}
			}
		}
		w.mime.Store(tr.Codec().MimeType)
		var dep codecs.H264Packet
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			w.videoPkts.Add(1)
			annexb, err := dep.Unmarshal(p.Payload)
			if err != nil || len(annexb) == 0 {
				continue
			}
			var au h264.AnnexB
			if au.Unmarshal(annexb) != nil {
				continue
			}
			for _, n := range au {
				if len(n) > 0 && h264.NALUType(n[0]&0x1f) == h264.NALUTypeSPS {
					var sps h264.SPS
					if sps.Unmarshal(n) == nil {
						w.width.Store(int64(sps.Width()))
						w.height.Store(int64(sps.Height()))
					}
				}
			}
		}
	})
	part, err := rg.sfu.Join(lesson, sfu.ParticipantConfig{ID: "whep:test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(part.Close)
	if err := peer.OfferAnswer(pc, part.Play); err != nil {
		t.Fatal(err)
	}
	return w
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRTMPToWHEPAndHLS: ffmpeg pushes H.264 + AAC over RTMP → a WHEP
// player receives the H.264 (its SPS says 640x360) and Opus; ffprobe
// reads the live playlist (H.264 640x360 and the publisher's AAC,
// consecutive segments) and, once the recorder ends the lesson, the
// recording (H.264 and AAC starting together); the connection dropping ends the tracks while the room stays; a second
// publisher on the same lesson is refused.
func TestRTMPToWHEPAndHLS(t *testing.T) {
	rg := newRig(t)
	const lesson = "lesson-rtmp"
	cmd := rg.push(t, rg.keys.Key(lesson), 30)
	waitFor(t, "the RTMP tracks in the room", 10*time.Second, func() bool {
		r := rg.sfu.Room(lesson)
		return r != nil && len(r.Tracks()) == 2
	})
	w := rg.play(t, lesson)
	waitFor(t, "video and audio at the WHEP player", 10*time.Second, func() bool {
		return w.videoPkts.Load() > 100 && w.audioPkts.Load() > 50 && w.width.Load() > 0
	})
	if m, _ := w.mime.Load().(string); !strings.EqualFold(m, webrtc.MimeTypeH264) {
		t.Errorf("WHEP video %q, want H.264 unchanged", m)
	}
	if w.width.Load() != 640 || w.height.Load() != 360 {
		t.Errorf("WHEP video %dx%d, want 640x360", w.width.Load(), w.height.Load())
	}

	// A second publisher on the same lesson is refused.
	second := rg.push(t, rg.keys.Key(lesson), 5)
	done := make(chan error, 1)
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("the second RTMP publisher was not refused")
		}
	case <-time.After(10 * time.Second):
		t.Error("the second RTMP publisher is still connected")
	}
	if !strings.Contains(rg.logs(), "already has an RTMP publisher") {
		t.Error("the refusal of the second publisher was not logged")
	}

	// Live HLS from the same stream.
	q := "access=" + rg.g.Issue(lesson, time.Minute)
	url := rg.hls.URL + "/hls/" + lesson + "/index.m3u8?" + q
	waitFor(t, "the live playlist", 15*time.Second, func() bool {
		res, err := http.Get(url)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	})
	time.Sleep(3 * time.Second)
	ffprobe, err := exec.LookPath("ffprobe")
	testenv.Require(t, "ffprobe", err)
	p := probe(t, ffprobe, url)
	if v := p["video"]; v.CodecName != "h264" || v.Width != 640 || v.Height != 360 {
		t.Errorf("live HLS video %+v, want h264 640x360", v)
	}
	// The publisher's AAC as it is, not the Opus WebRTC students get.
	if a := p["audio"]; a.CodecName != "aac" || a.SampleRate != "48000" {
		t.Errorf("live HLS audio %+v, want the publisher's AAC at 48 kHz", a)
	}
	checkContinuous(t, rg.hls.URL+"/hls/"+lesson+"/video1_stream.m3u8?"+q)

	// The recording keeps the AAC too, in step with the video.
	rg.rec.End(lesson)
	recs, err := rg.rec.Recordings(lesson)
	if err != nil || len(recs) != 1 || recs[0].State != recorder.StateComplete {
		t.Fatalf("recordings after End: %+v %v", recs, err)
	}
	rq := "access=" + rg.g.Issue(recorder.RecordingScope(lesson, recs[0].ID), time.Minute)
	p = probe(t, ffprobe, rg.hls.URL+"/hls/"+lesson+"/rec/"+recs[0].ID+"/index.m3u8?"+rq)
	v, a := p["video"], p["audio"]
	if v.CodecName != "h264" || a.CodecName != "aac" {
		t.Errorf("recording's streams %+v %+v, want h264 + aac", v, a)
	}
	vs, _ := strconv.ParseFloat(v.StartTime, 64)
	as, _ := strconv.ParseFloat(a.StartTime, 64)
	if math.Abs(vs-as) > 0.3 {
		t.Errorf("recording's audio starts at %.3f s, its video at %.3f s: want within 0.3 s", as, vs)
	}
	t.Logf("recording: video from %.3f s, AAC from %.3f s", vs, as)

	// The publisher drops: its tracks end, the room (the lesson) stays.
	_ = cmd.Process.Kill()
	waitFor(t, "the RTMP tracks to end", 15*time.Second, func() bool {
		r := rg.sfu.Room(lesson)
		return r != nil && len(r.Tracks()) == 0
	})
	if strings.Contains(rg.logs(), rg.keys.Key(lesson)) {
		t.Error("the stream key appears in the log")
	}
}

type probeStream struct {
	CodecType  string `json:"codec_type"`
	CodecName  string `json:"codec_name"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	SampleRate string `json:"sample_rate"`
	StartTime  string `json:"start_time"`
}

// probe runs ffprobe on a playlist and returns its streams by type.
func probe(t *testing.T, ffprobe, url string) map[string]probeStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, ffprobe, "-v", "error", "-show_streams", "-of", "json", url).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", url, err)
	}
	var p struct {
		Streams []probeStream `json:"streams"`
	}
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	m := map[string]probeStream{}
	for _, s := range p.Streams {
		m[s.CodecType] = s
	}
	return m
}

// checkContinuous reads a media playlist and checks that its segments'
// numbers follow each other.
func checkContinuous(t *testing.T, url string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	var nums []int
	for _, l := range strings.Split(body.String(), "\n") {
		if strings.HasPrefix(l, "#") || !strings.Contains(l, "_seg") {
			continue
		}
		var n int
		i := strings.Index(l, "_seg") + 4
		if _, err := fmt.Sscanf(l[i:], "%d", &n); err == nil {
			nums = append(nums, n)
		}
	}
	if len(nums) < 2 {
		t.Fatalf("live media playlist has %d segments:\n%s", len(nums), body.String())
	}
	for i := 1; i < len(nums); i++ {
		if nums[i] != nums[i-1]+1 {
			t.Errorf("segments not continuous: %v", nums)
		}
	}
}

// TestRTMPRefusals: a bad key, a missing key and a non-H.264 stream are
// refused and logged (without the key).
func TestRTMPRefusals(t *testing.T) {
	rg := newRig(t)
	for _, tc := range []struct {
		name, key string
		vcodec    []string
		log       string
	}{
		{"bad key", "lesson-x.AAAAAAAAAAAAAAAAAAAAAAAA", nil, "bad or missing stream key"},
		{"missing key", "", nil, "bad or missing stream key"},
		{"not H.264", rg.keys.Key("lesson-y"), []string{"-c:v", "flv1"}, "the video must be H.264"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := rg.push(t, tc.key, 5, tc.vcodec...)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("ffmpeg still connected")
			}
			if !strings.Contains(rg.logs(), tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, rg.logs())
			}
			if tc.key != "" && strings.Contains(rg.logs(), tc.key) {
				t.Error("the key appears in the log")
			}
			if r := rg.sfu.Room("lesson-y"); r != nil && len(r.Tracks()) > 0 {
				t.Error("a refused stream reached the room")
			}
		})
	}
}
