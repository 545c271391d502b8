package e2e

import (
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// TestBrowserTwoTabs is the "two tabs" story: a teacher goes live in one
// page, a student opens the lesson in another and sees the teacher's video
// playing (size known, time advancing) and gets the sound.
func TestBrowserTwoTabs(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "Ms Li", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "Wang", token.RoleStudent)

	res := runScript(t, 120*time.Second, "classroom", srv.lessonURL(lesson, teacherTok), srv.lessonURL(lesson, studentTok))
	t.Logf("result: %v", res)
	video, _ := res["video"].(map[string]any)
	if w, _ := video["width"].(float64); w <= 0 {
		t.Errorf("student video width %v", video["width"])
	}
	if res["studentView"] != "student" || res["source"] != "camera" {
		t.Errorf("student page: view %v, main source %v", res["studentView"], res["source"])
	}
	if res["teacherStatus"] != "live" || res["studentStatus"] != "live" {
		t.Errorf("status: teacher %v, student %v", res["teacherStatus"], res["studentStatus"])
	}
	if n, _ := res["people"].(float64); n != 2 {
		t.Errorf("student sees %v participants, want 2", res["people"])
	}
}
