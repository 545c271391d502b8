package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
)

// TestBrowserHLSFallback: a teacher publishes H.264 and Opus over WebRTC;
// a student's Chromium that may not use UDP cannot connect its receiving
// WebRTC connection, so the page falls back to the live HLS stream on its
// own, says so, and the HLS video plays (its currentTime advances).
func TestBrowserHLSFallback(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	if srv.app == nil {
		t.Skip("needs the in-process server (its SFU)")
	}
	lesson := uniqueLesson(t)
	pub, err := peer.NewH264Teacher()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pub.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	teacher, err := peer.Join(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc",
		srv.token(t, lesson, "t1", "Teacher", token.RoleTeacher), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(teacher.Close)
	if err := teacher.Publish(ctx, pub); err != nil {
		t.Fatal(err)
	}

	s := startScript(t, 100*time.Second, "hlsfallback", srv.lessonURL(lesson, srv.token(t, lesson, "s1", "Student", token.RoleStudent)))
	res := s.result(100 * time.Second)
	if ok, _ := res["ok"].(bool); !ok {
		t.Fatalf("browser: %v", res["error"])
	}
	if key, _ := res["bannerKey"].(string); !strings.HasPrefix(key, "hls.fallback") {
		t.Errorf("fallback banner %q (%v), want an automatic fallback message", key, res["banner"])
	}
	t1, _ := res["t1"].(float64)
	t2, _ := res["t2"].(float64)
	if t2-t1 < 1.5 {
		t.Errorf("HLS video currentTime %.2f → %.2f over 3 s: not playing", t1, t2)
	}
	if w, _ := res["w"].(float64); w != 320 {
		t.Errorf("HLS video width %v, want the teacher's 320", res["w"])
	}
	t.Logf("HLS fallback: %v, currentTime %.2f → %.2f, delay behind capture (s) %v", res["banner"], t1, t2, res["delays"])
}
