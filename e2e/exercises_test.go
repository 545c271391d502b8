package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserExercises: a teacher writes an exercise, a student answers
// it (in Chinese) and sees the objective part graded at once with the key
// and explanation, the teacher grades the short answer, the student reads
// the comment, the gradebook shows the total.
func TestBrowserExercises(t *testing.T) {
	s := startTeacherScript(t, "exercises", 100*time.Second, 30*time.Second)
	s.approveSubmitted(30 * time.Second)
	res := s.result(75 * time.Second)
	t.Logf("result: %v", res)
	if n, _ := res["keyBefore"].(float64); n != 0 {
		t.Errorf("the key is shown before submitting (%v)", n)
	}
	r, _ := res["result"].(map[string]any)
	if r["score"] != "2" || r["status"] != "pending" || r["single"] != "true" {
		t.Errorf("result %v", r)
	}
	if text, _ := r["text"].(string); !strings.Contains(text, "Two and two make four.") || !strings.Contains(text, "答案：4") || !strings.Contains(text, "等待老师批改") {
		t.Errorf("result text %q", text)
	}
	if a, _ := res["again"].(string); !strings.Contains(a, "作答次数已用完") {
		t.Errorf("second attempt shown as %q", a)
	}
	if g, _ := res["gradebookRow"].(string); !strings.Contains(g, "王同学") || !strings.Contains(g, "6") {
		t.Errorf("gradebook row %q", g)
	}
	if c, _ := res["comment"].(string); !strings.Contains(c, "Good; mention the scheduler.") {
		t.Errorf("comment %q", c)
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
