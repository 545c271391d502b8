package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/lectern/lectern/token"
)

// TestBrowserSlides: a teacher presents a PDF in the live room and turns
// to page 2; a student's tab shows page 2 and the teacher's pointer, a
// late joiner lands on page 2, and a student's slides.page is refused by
// the server; the replay's slide follower shows the page that was up at
// each moment of the timeline.
func TestBrowserSlides(t *testing.T) {
	pdf := filepath.Join(t.TempDir(), "week1.pdf")
	if err := os.WriteFile(pdf, threePagePDF(), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startTeacherScript(t, "slides", 210*time.Second, 60*time.Second, pdf)
	s.approveSubmitted(60 * time.Second)
	ev := s.waitEventLine("page2", 150*time.Second)
	lesson, _ := ev["lesson"].(string)
	code := studentTurnsSlide(t, s.srv, lesson)
	s.send(code)
	res := s.result(90 * time.Second)
	t.Logf("result: %v", res)
	if code != "forbidden" {
		t.Errorf("a student's slides.page: %q, want forbidden", code)
	}
	for _, k := range []string{"teacherPage", "earlyPage", "latePage"} {
		if res[k] != "2" {
			t.Errorf("%s = %v, want 2", k, res[k])
		}
	}
	if l, _ := res["earlyLabel"].(string); !strings.Contains(l, "2") || !strings.Contains(l, "3") {
		t.Errorf("student's page label %q", l)
	}
	if w, _ := res["lateCanvas"].(float64); w < 100 {
		t.Errorf("late joiner's page canvas %v px wide", w)
	}
	if n, _ := res["studentControls"].(float64); n != 0 {
		t.Errorf("a student sees %v slide controls", n)
	}
	// The replay follows the timeline: nothing, page 1, page 2, back to 1.
	if r, _ := res["replay"].(map[string]any); r == nil || r["events"] != float64(2) ||
		fmt.Sprint(r["seen"]) != "[ 1 2 1]" {
		t.Errorf("replay's slides: %v, want 2 events and [ 1 2 1]", res["replay"])
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}

// studentTurnsSlide joins lesson over /rtc as a student (a token the
// server signs) and sends slides.page; it returns the error code of the
// answer, or "ok".
func studentTurnsSlide(t *testing.T, srv *server, lesson string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", nil)
	if err != nil {
		t.Fatalf("dial /rtc: %v", err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(1 << 20)
	send := func(typ, id string, payload any) {
		b, _ := json.Marshal(payload)
		m, _ := json.Marshal(envelope{V: 1, Type: typ, ID: id, Payload: b})
		if err := ws.Write(ctx, websocket.MessageText, m); err != nil {
			t.Fatalf("write %s: %v", typ, err)
		}
	}
	tok := srv.token(t, lesson, "intruder-"+lesson, "Intruder", token.RoleStudent)
	send("join", "1", map[string]any{"token": tok})
	send("slides.page", "2", map[string]any{"page": 3})
	for range 200 {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for the answer to slides.page: %v", err)
		}
		var m envelope
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if m.ID == "1" && m.Type == "error" {
			t.Fatalf("join refused: %s", m.Payload)
		}
		if m.ID != "2" {
			continue
		}
		if m.Type == "ok" {
			return "ok"
		}
		var e struct{ Code string }
		_ = json.Unmarshal(m.Payload, &e)
		return e.Code
	}
	t.Fatal("no answer to slides.page in 200 frames")
	return ""
}
