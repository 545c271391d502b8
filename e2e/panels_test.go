package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// TestBrowserChat: chat between two tabs. Text that looks like HTML is
// shown literally and never runs; replies, private messages, the length
// counter and deleting work.
func TestBrowserChat(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "Ms Li", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "Wang", token.RoleStudent)

	res := runScript(t, 60*time.Second, "chat", srv.lessonURL(lesson, teacherTok), srv.lessonURL(lesson, studentTok))
	if res["received"] != res["payload"] || res["studentEcho"] != res["payload"] {
		t.Errorf("message shown as %q (teacher) / %q (student), want %q", res["received"], res["studentEcho"], res["payload"])
	}
	inj, _ := res["injected"].(map[string]any)
	if n, _ := inj["imgs"].(float64); n != 0 || inj["xss"] != false {
		t.Errorf("chat text was parsed as HTML: %v", inj)
	}
	if res["reply"] != "Hello Wang 👋" || res["replyRole"] != "Teacher" {
		t.Errorf("reply %q from %q", res["reply"], res["replyRole"])
	}
	if res["privateSeen"] != "a private question" {
		t.Errorf("private message seen as %v", res["privateSeen"])
	}
	if c, _ := res["counter"].(string); !strings.HasPrefix(c, "2001") || res["sendDisabled"] != true {
		t.Errorf("counter %q, send disabled %v", res["counter"], res["sendDisabled"])
	}
	if n, _ := res["afterDelete"].(float64); n != 2 {
		t.Errorf("teacher sees %v messages after the delete, want 2", res["afterDelete"])
	}
}

// TestBrowserPoll: the teacher runs a quiz; the student votes and changes
// the vote; the teacher sees live counts; results show on both pages.
func TestBrowserPoll(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "Ms Li", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "Wang", token.RoleStudent)

	res := runScript(t, 60*time.Second, "poll", srv.lessonURL(lesson, teacherTok), srv.lessonURL(lesson, studentTok))
	if res["question"] != "What is 2 + 2?" {
		t.Errorf("student sees question %v", res["question"])
	}
	want := "[0 1 0]"
	for _, who := range []string{"teacherCounts", "studentCounts"} {
		if got := fmt.Sprint(res[who]); got != want {
			t.Errorf("%s = %s, want %s", who, got, want)
		}
	}
	if fmt.Sprint(res["correctMarked"]) != "[1]" {
		t.Errorf("correct option marked: %v", res["correctMarked"])
	}
	if csv, _ := res["csv"].(string); !strings.HasPrefix(csv, "/api/v1/lessons/"+lesson+"/polls/") || !strings.HasSuffix(csv, "/results.csv") {
		t.Errorf("teacher CSV link %q", res["csv"])
	}
	if n, _ := res["studentCsv"].(float64); n != 0 {
		t.Errorf("student sees %v CSV links", n)
	}
	if v, _ := res["verdict"].(string); !strings.Contains(v, "right") {
		t.Errorf("student verdict %q", v)
	}
}

// TestBrowserQA: questions (anonymous and not), one upvote each, sorted by
// votes; moderators see who asked; marking answered reaches the student.
// The browser runs in Chinese.
func TestBrowserQA(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "李老师", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "王同学", token.RoleStudent)

	res := runScript(t, 60*time.Second, "qa", srv.lessonURL(lesson, teacherTok), srv.lessonURL(lesson, studentTok))
	if got := fmt.Sprint(res["teacherOrder"]); got != "[Why <b>channels</b>? 什么是 goroutine？]" {
		t.Errorf("teacher's order %s", got)
	}
	if res["anonAuthorForTeacher"] != "王同学" {
		t.Errorf("teacher sees the anonymous author as %v", res["anonAuthorForTeacher"])
	}
	if res["studentUpvoteDisabled"] != true {
		t.Errorf("student may upvote twice")
	}
	if res["answered"] != "已回答" {
		t.Errorf("answered badge %v", res["answered"])
	}
}
