package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lectern/lectern/sfu"
	"github.com/lectern/lectern/token"
)

// TestBrowserSimulcastAdaptive: the teacher's page publishes the fake
// camera as three simulcast encodings (docs/protocol.md, "Simulcast and adaptive quality": rid q/h/f at
// 1/4, 1/2 and full size); the server sees three layers; a Pion student
// receives decodable video, asks for a large size and gets the high layer,
// asks for a small size with track.settings and gets the low layer, then
// asks for the large size again and gets the high layer back. Meanwhile dynacast (publisher.layers) switches the teacher's unused
// encodings off and on again.
func TestBrowserSimulcastAdaptive(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "Ms Li", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "Wang", token.RoleStudent)

	teacher := startScript(t, 180*time.Second, "simulcast", srv.lessonURL(lesson, teacherTok), "120000")
	live := teacher.waitEventLine("live", 60*time.Second)
	encs := encodingsOf(t, live)
	checkCameraEncodings(t, encs)

	sub := dialSubscriber(t, srv.URL, studentTok)
	kf, _, _ := sub.waitMedia(20*time.Second, 5*time.Second, 10)
	t.Logf("first keyframe %dx%d", kf.Width, kf.Height)
	trackID := sub.receivedVideo()
	if trackID == "" {
		t.Fatal("no video track id from the subscribe offer")
	}

	// The server's view of the teacher's camera: three layers.
	highW := 0
	if srv.app != nil {
		layers := waitLayers(t, srv, lesson, trackID, 3, 20*time.Second)
		t.Logf("server layers: %+v", layers)
		highW = layers[len(layers)-1].Width
	}
	if highW == 0 { // an external server, or no width measured: the largest seen
		highW = largestKeyframe(sub, kf)
	}

	// Large first, so that the switch down is seen: the high layer (the
	// bandwidth estimate has to grow to carry it).
	high := func(k vp8Keyframe) bool { return k.Width*2 > highW }
	start := time.Now()
	n := sub.keyframeCount()
	sub.trackSettings(trackID, 1280, 720, true)
	up, ok := sub.waitKeyframe(n, 30*time.Second, high)
	if !ok {
		t.Fatalf("after track.settings 1280x720: no keyframe wider than %d; keyframes %s", highW/2, sub.keyframeLog())
	}
	t.Logf("after 1280x720: keyframe %dx%d within %v", up.Width, up.Height, time.Since(start).Round(time.Millisecond))

	// Small: the low layer (a quarter of the full width; at most half).
	start = time.Now()
	n = sub.keyframeCount()
	sub.trackSettings(trackID, 160, 90, true)
	low, ok := sub.waitKeyframe(n, 20*time.Second, func(k vp8Keyframe) bool { return k.Width*2 <= highW })
	if !ok {
		t.Fatalf("after track.settings 160x90: no keyframe of width ≤ %d; keyframes %s", highW/2, sub.keyframeLog())
	}
	t.Logf("after 160x90: keyframe %dx%d within %v (high layer %d wide)", low.Width, low.Height, time.Since(start).Round(time.Millisecond), highW)

	// Dynacast: with only the low layer watched, the teacher's browser is
	// told to stop the others (after 2 s of disuse).
	if !waitEncodings(teacher, 15*time.Second, func(e map[string]bool) bool { return e["q"] && !e["h"] && !e["f"] }) {
		t.Errorf("dynacast: camera encodings still %v, want only q active", lastEncodings(teacher))
	}

	// Large again: the encodings resume and a larger layer comes back.
	start = time.Now()
	n = sub.keyframeCount()
	sub.trackSettings(trackID, 1280, 720, true)
	if !waitEncodings(teacher, 10*time.Second, func(e map[string]bool) bool { return e["q"] && e["h"] && e["f"] }) {
		t.Errorf("dynacast: camera encodings %v after the large size, want all active", lastEncodings(teacher))
	}
	back, ok := sub.waitKeyframe(n, 30*time.Second, high)
	if !ok {
		t.Fatalf("after track.settings 1280x720 again: no keyframe wider than %d; keyframes %s", highW/2, sub.keyframeLog())
	}
	t.Logf("after 1280x720 again: keyframe %dx%d within %v; all keyframes %s",
		back.Width, back.Height, time.Since(start).Round(time.Millisecond), sub.keyframeLog())
	sub.close()

	teacher.send("end")
	res := teacher.result(60 * time.Second)
	if res["status"] != "live" {
		t.Errorf("teacher page status %v", res["status"])
	}
}

type encoding struct {
	RID         string   `json:"rid"`
	Active      bool     `json:"active"`
	Scale       *float64 `json:"scaleResolutionDownBy"`
	MaxBitrate  *float64 `json:"maxBitrate"`
	ClientTrack string   `json:"trackId"`
}

func encodingsOf(t *testing.T, line map[string]any) []encoding {
	t.Helper()
	b, _ := json.Marshal(line["encodings"])
	var out []encoding
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("encodings %s: %v", b, err)
	}
	return out
}

// checkCameraEncodings compares the camera sender's encodings with
// docs/protocol.md, "Simulcast and adaptive quality".
func checkCameraEncodings(t *testing.T, got []encoding) {
	t.Helper()
	want := []struct {
		rid     string
		scale   float64
		bitrate float64
	}{{"q", 4, 150000}, {"h", 2, 500000}, {"f", 1, 1500000}}
	if len(got) != len(want) {
		t.Fatalf("camera encodings %+v, want rid q/h/f", got)
	}
	for i, w := range want {
		g := got[i]
		scale := 1.0
		if g.Scale != nil {
			scale = *g.Scale
		}
		if g.RID != w.rid || scale != w.scale || g.MaxBitrate == nil || *g.MaxBitrate != w.bitrate {
			t.Errorf("encoding %d: %s", i, describe(g))
		}
	}
}

func describe(e encoding) string {
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("rid=%q active=%v scale=%s maxBitrate=%s", e.RID, e.Active, f(e.Scale), f(e.MaxBitrate))
}

// waitLayers waits until the server's track has n layers, each of which
// has carried packets.
func waitLayers(t *testing.T, srv *server, lesson, trackID string, n int, timeout time.Duration) []sfu.LayerInfo {
	t.Helper()
	var layers []sfu.LayerInfo
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if room := srv.app.SFU().Room(lesson); room != nil {
			if tr := room.Track(trackID); tr != nil {
				layers = tr.Layers()
				if len(layers) == n && layers[n-1].Width > 0 {
					return layers
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("track %s: server layers %+v, want %d", trackID, layers, n)
	return nil
}

func largestKeyframe(sub *pionSubscriber, first vp8Keyframe) int {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	w := first.Width
	for _, k := range sub.keyframes {
		w = max(w, k.Width)
	}
	return w
}

// waitEncodings asks the teacher's page for its camera encodings until ok
// holds for their active flags (by rid).
func waitEncodings(s *script, timeout time.Duration, ok func(map[string]bool) bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok(lastEncodings(s)) {
			return true
		}
		time.Sleep(500 * time.Millisecond)
	}
	return false
}

// lastEncodings asks the page once and returns rid → active.
func lastEncodings(s *script) map[string]bool {
	s.send("encodings")
	line := s.waitEventLine("encodings", 10*time.Second)
	out := map[string]bool{}
	for _, e := range encodingsOf(s.t, line) {
		out[e.RID] = e.Active
	}
	return out
}
