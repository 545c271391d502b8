package e2e

import (
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// TestBrowserScreenShare: while live, the teacher shares a screen (a second
// video track on a new transceiver, renegotiated); the student sees the
// share large and the camera small, and the camera alone again once the
// share stops (unpublish, then renegotiation).
func TestBrowserScreenShare(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "Ms Li", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "Wang", token.RoleStudent)

	res := runScript(t, 120*time.Second, "screenshare", srv.lessonURL(lesson, teacherTok), srv.lessonURL(lesson, studentTok))
	sharing, _ := res["sharing"].(map[string]any)
	after, _ := res["after"].(map[string]any)
	if sharing["teacherButton"] != "true" || sharing["pipSource"] != "camera" {
		t.Errorf("while sharing: %v", sharing)
	}
	if after["pipHidden"] != true || after["teacherButton"] != "false" {
		t.Errorf("after sharing: %v", after)
	}
}
