package e2e

import (
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// TestBrowserStage: a student raises a hand, the teacher invites from the
// queue, the student accepts and publishes; the teacher sees the student's
// video on the stage strip, then removes the student from the stage.
func TestBrowserStage(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "Ms Li", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "Wang", token.RoleStudent)

	res := runScript(t, 60*time.Second, "stage", srv.lessonURL(lesson, teacherTok), srv.lessonURL(lesson, studentTok))
	t.Logf("result: %v", res)
	if res["queued"] != "Wang" {
		t.Errorf("hand queue shows %v, want Wang", res["queued"])
	}
	if n, _ := res["countdown"].(float64); n <= 0 || n > 30 {
		t.Errorf("invite countdown %v s", res["countdown"])
	}
	strip, _ := res["strip"].(map[string]any)
	if w, _ := strip["width"].(float64); w <= 0 {
		t.Errorf("stage strip video width %v", strip["width"])
	}
	if res["stripHiddenAfter"] != true || res["seatHiddenAfter"] != true {
		t.Errorf("after removal: strip hidden %v, seat hidden %v", res["stripHiddenAfter"], res["seatHiddenAfter"])
	}
	if res["handHiddenOnStage"] != true {
		t.Errorf("raise-hand button still shown on stage")
	}
}
