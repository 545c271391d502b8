package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestBrowserLanding: the course landing page's one call to action by
// visitor state (sign in to buy, buy, the next lesson, join the live
// lesson), the catalogue's "live now" badge, and the teacher moving and
// cancelling a lesson in the browser, which mails the student and leaves
// a notice; the student verifies the address with the link mailed at
// sign-up (e2e/scripts/landing.mjs).
func TestBrowserLanding(t *testing.T) {
	s := startTeacherScript(t, "landing", 120*time.Second, 45*time.Second)
	s.approveSubmitted(60 * time.Second)
	s.sendVerifyLink(30 * time.Second)
	s.waitEventLine("admin", 60*time.Second)
	const adminEmail, adminPassword = "chief@example.org", "a-long-admin-password-42"
	if _, _, err := s.srv.app.API().EnsureAdmin(context.Background(), adminEmail, adminPassword, "Chief"); err != nil {
		t.Fatal(err)
	}
	s.send(adminEmail + " " + adminPassword)
	res := s.result(115 * time.Second)
	t.Logf("result: %v", res)

	first, _ := res["first"].(string)
	second, _ := res["second"].(string)
	checks := map[string]any{
		"visitorCTA": "buy", "studentCTA": "buy", "liveCTA": "live",
		"afterEndCTA": "next", "coverShown": true, "verifiedBefore": "false", "verifiedAfter": "true", "visitorNext": first, "liveBanner": first, "joinHref": "/lesson/" + first, "summary": "2",
		"teacherBio": "北京大学教授，讲授先秦典籍。", "teacherName": "Hu Shi", "teacherHeading": "About the teacher",
	}
	for k, v := range checks {
		if res[k] != v {
			t.Errorf("%s = %v, want %v", k, res[k], v)
		}
	}
	if c := res["ownerCTA"]; c != "next" && c != "join" {
		t.Errorf("after buying, the call to action is %v", c)
	}
	if r, _ := res["roster"].([]any); len(r) != 1 || r[0] != "Yan Hui" {
		t.Errorf("the teacher's roster %v", res["roster"])
	}
	if n, _ := res["primaries"].(float64); n != 1 {
		t.Errorf("the visitor sees %v primary buttons, want 1", n)
	}
	if r, _ := res["reasonShown"].(string); !strings.Contains(r, "The teacher is travelling") {
		t.Errorf("cancellation reason shown as %q", r)
	}
	if n, _ := res["noticeText"].(string); !strings.Contains(n, "Mencius") || !strings.Contains(n, "cancelled") {
		t.Errorf("student's notice %q", n)
	}

	ctx := context.Background()
	st := s.srv.app.Store()
	l, err := st.Lesson(ctx, second)
	if err != nil || !l.Cancelled() || l.CancelReason != "The teacher is travelling" {
		t.Fatalf("stored lesson %+v, %v", l, err)
	}
	email, _ := res["studentEmail"].(string)
	mails, err := st.MailTo(ctx, strings.ToLower(email), 50)
	if err != nil {
		t.Fatal(err)
	}
	var moved, cancelled bool
	for _, m := range mails {
		moved = moved || strings.HasPrefix(m.Subject, "Lesson moved: Mencius")
		cancelled = cancelled || strings.HasPrefix(m.Subject, "Lesson cancelled: Mencius") && strings.Contains(m.Body, "travelling")
	}
	if !moved || !cancelled {
		t.Errorf("student's mail: moved %v, cancelled %v (%d messages)", moved, cancelled, len(mails))
	}
}

// sendVerifyLink waits for the script's "verify" event, finds the
// verification link mailed to its address in the outbox (bounded) and
// sends it to the script.
func (s *script) sendVerifyLink(timeout time.Duration) {
	s.t.Helper()
	ev := s.waitEventLine("verify", timeout)
	email, _ := ev["email"].(string)
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		mails, err := s.srv.app.Store().MailTo(ctx, strings.ToLower(email), 20)
		if err != nil {
			s.t.Fatal(err)
		}
		for _, m := range mails {
			if i := strings.Index(m.Body, "http"); i >= 0 && strings.Contains(m.Body, "/verify-email?token=") {
				s.send(strings.Fields(m.Body[i:])[0])
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("no verification mail to %s", email)
}
