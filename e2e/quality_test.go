package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// TestBrowserQualityIndicators: what the room shows of track.quality,
// speakers and subscriber.stats (docs/protocol.md, "Simulcast and adaptive quality"), in English and
// Chinese. The script plays the server's part for those three messages
// over the real connection (scripts/quality.mjs).
func TestBrowserQualityIndicators(t *testing.T) {
	requireBrowser(t)
	srv := startServer(t)
	lesson := uniqueLesson(t)
	teacherTok := srv.token(t, lesson, "u-teacher", "Ms Li", token.RoleTeacher)
	studentTok := srv.token(t, lesson, "u-student", "Wang", token.RoleStudent)

	res := runScript(t, 150*time.Second, "quality", srv.lessonURL(lesson, teacherTok), srv.lessonURL(lesson, studentTok))
	ids, _ := res["ids"].(map[string]any)
	teacherID, _ := ids["teacher"].(string)
	studentID, _ := ids["student"].(string)
	for _, c := range []struct {
		lang, paused, poor, fair, badge string
	}{
		{"en", "Paused: low bandwidth", "Poor", "Fair", "Low"},
		{"zh", "已暂停：网络带宽不足", "较差", "一般", "流畅"},
	} {
		step, _ := res[c.lang].(map[string]any)
		st, _ := step["student"].(map[string]any)
		te, _ := step["teacher"].(map[string]any)
		if st["mainPaused"] != true || st["mainPausedText"] != c.paused {
			t.Errorf("%s: student main video paused=%v text %q, want %q", c.lang, st["mainPaused"], st["mainPausedText"], c.paused)
		}
		if st["net"] != "poor" || st["netLabel"] != c.poor {
			t.Errorf("%s: student connection %v %q, want poor %q", c.lang, st["net"], st["netLabel"], c.poor)
		}
		if title, _ := st["netTitle"].(string); !strings.Contains(title, "180 kbps") || !strings.Contains(title, "14.0%") || !strings.Contains(title, "320") {
			t.Errorf("%s: student connection tooltip %q", c.lang, title)
		}
		if te["net"] != "fair" || te["netLabel"] != c.fair {
			t.Errorf("%s: teacher connection %v %q, want fair %q", c.lang, te["net"], te["netLabel"], c.fair)
		}
		people, _ := st["people"].(map[string]any)
		if people[teacherID] != "active-speaker speaking" || people[studentID] != "" {
			t.Errorf("%s: student's participant list speakers %v", c.lang, people)
		}
		strip, _ := te["strip"].(map[string]any)
		if strip[studentID] != "active-speaker speaking" {
			t.Errorf("%s: teacher's stage strip speakers %v", c.lang, strip)
		}
		if te["stripBadge"] != c.badge {
			t.Errorf("%s: quality badge on the strip %q, want %q", c.lang, te["stripBadge"], c.badge)
		}
	}
	// track.settings as the pages sent them (adaptive stream).
	settings, _ := res["settings"].(map[string]any)
	t.Logf("track.settings: %v", settings)
	visible := func(step string, want bool) {
		m, _ := settings[step].(map[string]any)
		w, _ := m["width"].(float64)
		if m == nil || m["visible"] != want || (want && w <= 0) {
			t.Errorf("track.settings %s: %v, want visible %v with a size", step, m, want)
		}
	}
	if settings["flapped"] != float64(0) {
		t.Errorf("a shown strip video was reported not visible %v times", settings["flapped"])
	}
	if res["early"] != false {
		t.Errorf("the paused overlay showed within 300 ms of the pause")
	}
	visible("initial", true)
	visible("collapsed", false)
	visible("expanded", true)
	visible("studentMain", true)
	if shots, _ := res["screenshots"].([]any); len(shots) > 0 {
		t.Logf("screenshots: %v", shots)
	}
}
