package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/token"
	"github.com/pion/webrtc/v4"
)

// TestBrowserHLSFallback: a teacher publishes H.264 and Opus over WebRTC;
// a student's Chromium that may not use UDP cannot connect its receiving
// WebRTC connection, so the page falls back to the live HLS stream on its
// own, says so, and the HLS video plays (its currentTime advances).
func TestBrowserHLSFallback(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	requireInProcess(t, srv, "its SFU")
	lesson := uniqueLesson(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	peer.Teach(t, ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc",
		srv.token(t, lesson, "t1", "Teacher", token.RoleTeacher), peer.NewH264Teacher)

	s := startScript(t, 120*time.Second, "hlsfallback", srv.lessonURL(lesson, srv.token(t, lesson, "s1", "Student", token.RoleStudent)))
	res := s.result(120 * time.Second)
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

// teacherVideoCodec waits for the teacher's camera in lesson and returns
// its codec.
func teacherVideoCodec(t *testing.T, srv *server, lesson string) string {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if r := srv.app.SFU().Room(lesson); r != nil {
			for _, tr := range r.Tracks() {
				if tr.Kind() == webrtc.RTPCodecTypeVideo && tr.PacketsReceived() > 0 {
					return tr.Codec().MimeType
				}
			}
		}
	}
	t.Fatal("no teacher video in the room")
	return ""
}

// TestBrowserTokenLinkPublishesH264: a teacher who opens a token link
// (such as the one `lectern serve --dev` prints) with h264=1 publishes
// H.264 from Chromium, so the lesson is recorded; the same link without
// it publishes the browser's default (VP8), which is not.
func TestBrowserTokenLinkPublishesH264(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	requireInProcess(t, srv, "its SFU")
	for _, tc := range []struct {
		name, param, want string
	}{{"h264", "&h264=1", webrtc.MimeTypeH264}, {"default", "", webrtc.MimeTypeVP8}} {
		t.Run(tc.name, func(t *testing.T) {
			lesson := uniqueLesson(t)
			url := srv.lessonURL(lesson, srv.token(t, lesson, "t1", "Teacher", token.RoleTeacher)) + tc.param
			teacher := startScript(t, 120*time.Second, "teacher", url, "60000")
			teacher.waitEvent("live", 60*time.Second)
			if got := teacherVideoCodec(t, srv, lesson); !strings.EqualFold(got, tc.want) {
				t.Fatalf("teacher's video %s, want %s", got, tc.want)
			}
			if tc.want != webrtc.MimeTypeH264 {
				teacher.closeStdin()
				return
			}
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
				if recs, _ := srv.app.Recorder().Recordings(lesson); len(recs) == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the lesson opened by the token link is not recorded")
				}
			}
			teacher.closeStdin()
		})
	}
}
