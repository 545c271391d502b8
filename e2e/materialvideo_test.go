package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/testenv"
)

// TestBrowserMaterialVideo: a video material uploaded in the browser is
// transcoded to HLS and plays through hls.js on the materials page: the
// master playlist, a rendition and its segments are fetched and the
// video's currentTime advances.
func TestBrowserMaterialVideo(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	testenv.Require(t, "ffmpeg", err)
	clip := filepath.Join(t.TempDir(), "lecture.mp4")
	cmd := exec.Command(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24:duration=6",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=6",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("making the test video: %v\n%s", err, b)
	}
	if st, err := os.Stat(clip); err != nil || st.Size() == 0 {
		t.Fatalf("test video: %v", err)
	}
	s := startTeacherScript(t, "materialvideo", 240*time.Second, 60*time.Second, clip)
	res := s.result(230 * time.Second)
	t.Logf("result: %v", res)
	if res["player"] != "hls" {
		t.Errorf("player %v, want hls", res["player"])
	}
	if w, _ := res["width"].(float64); w <= 0 {
		t.Errorf("video width %v", res["width"])
	}
	if t0, t1 := res["t0"].(float64), res["t1"].(float64); t1 < t0+1 {
		t.Errorf("currentTime %v → %v: not playing", t0, t1)
	}
	if src, _ := res["src"].(string); strings.Contains(src, "/file?") {
		t.Errorf("the video plays the original file %q, not HLS", src)
	}
	reqs, _ := res["hlsRequests"].([]any)
	var master, index, seg bool
	for _, r := range reqs {
		p, _ := r.(string)
		master = master || p == "master.m3u8"
		index = index || strings.HasSuffix(p, "/index.m3u8")
		seg = seg || strings.HasSuffix(p, ".ts")
	}
	if !master || !index || !seg {
		t.Errorf("HLS requests %v: want the master playlist, a rendition and segments", reqs)
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
