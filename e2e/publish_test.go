package e2e

import (
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// TestBrowserTeacherToPion: headless Chromium publishes its fake camera and
// microphone through the real lesson page; a Pion subscriber, joined as a
// student over the real WebSocket, receives a decodable VP8 keyframe and
// Opus packets.
func TestBrowserTeacherToPion(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "Ms Li", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "Wang", token.RoleStudent)

	teacher := startScript(t, 150*time.Second, "teacher", srv.lessonURL(lesson, teacherTok), "90000")
	teacher.waitEvent("live", 60*time.Second)

	sub := dialSubscriber(t, srv.URL, studentTok)
	kf, audio, asked := sub.waitMedia(20*time.Second, 5*time.Second, 25)
	t.Logf("keyframe %dx%d (%d bytes), %d audio packets, keyframe request needed: %v", kf.Width, kf.Height, kf.Size, audio, asked)
	if kf.Width < 16 || kf.Width > 4096 || kf.Height < 16 || kf.Height > 4096 {
		t.Errorf("keyframe size %dx%d is not sane", kf.Width, kf.Height)
	}
	sub.close()

	teacher.closeStdin()
	res := teacher.result(60 * time.Second)
	if res["status"] != "live" || res["view"] != "teacher" {
		t.Errorf("teacher page: status %v, view %v", res["status"], res["view"])
	}
}
