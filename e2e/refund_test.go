package e2e

import (
	"testing"
	"time"
)

// TestBrowserRefundStopsPlayback: a student watching a paid lesson in
// Chromium gets a full refund; within 2 s the tab stops playing and says,
// in Chinese, that their access to the course ended, and a new join is
// refused with 402.
func TestBrowserRefundStopsPlayback(t *testing.T) {
	s := startTeacherScript(t, "refund", 120*time.Second, 45*time.Second)
	s.approveSubmitted(45 * time.Second)
	res := s.result(100 * time.Second)
	t.Logf("result: %v", res)
	if res["before"] == nil {
		t.Fatalf("the student's video never played")
	}
	if ms, _ := res["cutMs"].(float64); ms <= 0 || ms > 2000 {
		t.Errorf("the tab showed the end %v ms after the approval answered, want within 2000", res["cutMs"])
	}
	if res["endReason"] != "ended.accessEnded" || res["endText"] != "你对本课程的访问已结束。" {
		t.Errorf("end card %v %q, want ended.accessEnded in Chinese", res["endReason"], res["endText"])
	}
	if n, _ := res["playing"].(float64); n != 0 {
		t.Errorf("%v videos still playing after the refund", res["playing"])
	}
	if res["status"] != "ended" {
		t.Errorf("room status %v", res["status"])
	}
	if n, _ := res["joinAgain"].(float64); n != 402 {
		t.Errorf("joining again answered %v, want 402", res["joinAgain"])
	}
	if errs, _ := res["errors"].([]any); len(errs) > 0 {
		t.Errorf("page errors: %v", errs)
	}
}
