package api_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/internal/testenv"
	"github.com/lectern/lectern/store/storetest"
)

// TestVideoServedAsHLS: a video uploaded with tus is transcoded to HLS;
// its signed link carries the master playlist, whose every URI carries
// the signature; ffprobe reads the stream over HTTP; a tampered segment
// URL is refused.
func TestVideoServedAsHLS(t *testing.T) {
	ffmpeg, ffprobe, err := content.FindFFmpeg()
	testenv.Require(t, "ffmpeg and ffprobe", err)
	var proc *content.Processor
	h := newMatHarnessCfg(t, storetest.SQLite(t), func(dir string, svc *content.Service, c *api.MaterialsConfig) {
		proc = content.NewProcessor(svc, filepath.Join(dir, "hls"), ffmpeg, ffprobe, nil)
		c.HLSDir = filepath.Join(dir, "hls")
		c.OnAdded = func(content.Material) { proc.Wake() }
	}, content.WithVideoProcessing(true))
	proc.Start()
	t.Cleanup(func() { proc.Close() })
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	if b, err := exec.Command(ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24:duration=3", "-f", "lavfi", "-i", "sine=duration=3",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, b)
	}
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	teacher := h.teacher("teacher@example.org")
	courseID := teacher.createCourse(t, "Course")
	m := teacher.mustUpload(t, courseID, "", "clip.mp4", data)
	if m.Status != content.StatusProcessing {
		t.Fatalf("uploaded video %+v", m)
	}
	deadline := time.Now().Add(60 * time.Second)
	for m.Status == content.StatusProcessing && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		m, _ = h.svc.Store().Material(t.Context(), m.ID)
	}
	if m.Status != content.StatusReady {
		t.Fatalf("after processing %+v", m)
	}
	r := teacher.do("GET", "/api/v1/materials/"+m.ID+"/link", nil)
	want(t, r, http.StatusOK)
	var l struct {
		URL    string `json:"url"`
		HLSURL string `json:"hls_url"`
	}
	r.decode(t, &l)
	if l.HLSURL == "" {
		t.Fatalf("no HLS URL in %s", r.body)
	}
	master := teacher.do("GET", l.HLSURL, nil)
	want(t, master, http.StatusOK)
	_, query, _ := strings.Cut(l.HLSURL, "?")
	if !strings.Contains(string(master.body), "360p/index.m3u8?"+query) || strings.Contains(string(master.body), "720p") {
		t.Fatalf("master playlist (a 360p source makes one rendition):\n%s", master.body)
	}
	out, err := exec.Command(ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height",
		"-of", "csv=p=0", h.srv.URL+l.HLSURL).CombinedOutput()
	if first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n"); err != nil || first != "h264,640,360" {
		t.Fatalf("ffprobe over HTTP: %v %q", err, out)
	}
	seg := "/api/v1/materials/" + m.ID + "/hls/360p/seg0000.ts?" + query
	r = h.client().do("GET", seg, nil)
	want(t, r, http.StatusOK)
	if r.header.Get("Content-Type") != "video/mp2t" || len(r.body) == 0 {
		t.Fatalf("segment: %v, %d bytes", r.header, len(r.body))
	}
	want(t, h.client().do("GET", strings.Replace(seg, "sig=", "sig=x", 1), nil), http.StatusForbidden, "bad_link")
	want(t, h.client().do("GET", "/api/v1/materials/"+m.ID+"/hls/../../secret?"+query, nil), http.StatusNotFound)
	want(t, teacher.do("DELETE", "/api/v1/materials/"+m.ID, nil), http.StatusNoContent)
	if _, err := os.Stat(proc.HLSDir(m.ID)); !os.IsNotExist(err) {
		t.Fatalf("HLS output kept after delete: %v", err)
	}
}
