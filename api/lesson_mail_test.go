package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/api"
	"github.com/lectern/lectern/notify"
)

// queuedMail lists the outbox's unsent messages.
func queuedMail(t *testing.T, h *harness) []notify.Mail {
	t.Helper()
	list, err := h.st.DueMail(context.Background(), time.Now().Add(1000*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func mailTo(list []notify.Mail, to string) []notify.Mail {
	var out []notify.Mail
	for _, m := range list {
		if m.To == to {
			out = append(out, m)
		}
	}
	return out
}

// fakeClock is a settable clock for reminders.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *fakeClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// TestLessonCancelAndMove: the teacher moves a lesson (its students get
// a mail in their own language and a notice), then cancels it with a
// reason (closed, marked cancelled, mailed once); others may not; a
// cancelled lesson cannot be cancelled or edited again.
func TestLessonCancelAndMove(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		teacher := h.teacher("t@example.org")
		c := teacher.course("Calligraphy")
		start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
		l := teacher.lesson(c.ID, "Brushes", start, 60)
		en := h.register("en@example.org", "Ann")
		zh := h.register("zh@example.org", "Li")
		want(t, zh.do("PATCH", "/api/v1/me", map[string]any{"language": "zh-CN"}), http.StatusOK)
		outsider := h.register("out@example.org", "Out")
		for _, s := range []*client{en, zh} {
			want(t, s.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)
		}

		// Moved: one mail per student, in their language.
		moved := start.Add(26 * time.Hour)
		want(t, en.do("PATCH", "/api/v1/lessons/"+l.ID, map[string]any{"starts_at": moved}), http.StatusForbidden)
		want(t, teacher.do("PATCH", "/api/v1/lessons/"+l.ID, map[string]any{"title": "Brushes and ink"}), http.StatusOK)
		if n := len(queuedMail(t, h)); n != 0 {
			t.Fatalf("a title change sent %d mails", n)
		}
		want(t, teacher.do("PATCH", "/api/v1/lessons/"+l.ID, map[string]any{"starts_at": moved}), http.StatusOK)
		mails := queuedMail(t, h)
		if len(mails) != 2 {
			t.Fatalf("%d mails after a move, want 2", len(mails))
		}
		enMail, zhMail := mailTo(mails, "en@example.org"), mailTo(mails, "zh@example.org")
		if len(enMail) != 1 || !strings.HasPrefix(enMail[0].Subject, "Lesson moved: Brushes and ink") ||
			!strings.Contains(enMail[0].Body, moved.Format("Mon 2 Jan 2006, 15:04 UTC")) ||
			!strings.Contains(enMail[0].Body, "http://lectern.test/courses/"+c.ID) {
			t.Fatalf("English move mail %+v", enMail)
		}
		if len(zhMail) != 1 || !strings.HasPrefix(zhMail[0].Subject, "课程改期") || !strings.Contains(zhMail[0].Body, "（UTC）") {
			t.Fatalf("Chinese move mail %+v", zhMail)
		}

		// Cancelled: refused to others, then done once.
		want(t, en.do("POST", "/api/v1/lessons/"+l.ID+"/cancel", map[string]any{}), http.StatusForbidden)
		want(t, outsider.do("POST", "/api/v1/lessons/"+l.ID+"/cancel", map[string]any{}), http.StatusForbidden)
		want(t, teacher.do("POST", "/api/v1/lessons/"+l.ID+"/cancel", map[string]any{"reason": strings.Repeat("x", 501)}),
			http.StatusUnprocessableEntity, "invalid_input")
		r := teacher.do("POST", "/api/v1/lessons/"+l.ID+"/cancel", map[string]any{"reason": "I am ill"})
		want(t, r, http.StatusOK)
		var got struct {
			Status       string `json:"status"`
			Cancelled    bool   `json:"cancelled"`
			CancelReason string `json:"cancel_reason"`
		}
		r.decode(t, &got)
		if got.Status != "ended" || !got.Cancelled || got.CancelReason != "I am ill" {
			t.Fatalf("cancelled lesson %+v", got)
		}
		want(t, teacher.do("POST", "/api/v1/lessons/"+l.ID+"/cancel", map[string]any{}), http.StatusConflict, "invalid_status_change")
		want(t, teacher.do("PATCH", "/api/v1/lessons/"+l.ID, map[string]any{"title": "x"}), http.StatusConflict, "invalid_status_change")
		mails = queuedMail(t, h)
		if len(mails) != 4 {
			t.Fatalf("%d mails after cancelling, want 4", len(mails))
		}
		var cancelEN, cancelZH bool
		for _, m := range mails {
			cancelEN = cancelEN || m.To == "en@example.org" && strings.HasPrefix(m.Subject, "Lesson cancelled") &&
				strings.Contains(m.Body, "I am ill") && strings.Contains(m.Body, "refund")
			cancelZH = cancelZH || m.To == "zh@example.org" && strings.HasPrefix(m.Subject, "课程取消") && strings.Contains(m.Body, "退款")
		}
		if !cancelEN || !cancelZH {
			t.Fatalf("cancellation mails %+v", mails)
		}
		// The student sees the lesson as cancelled, and was told in the app.
		r = en.do("GET", "/api/v1/lessons/"+l.ID, nil)
		want(t, r, http.StatusOK)
		got.Cancelled = false
		r.decode(t, &got)
		if !got.Cancelled {
			t.Fatal("the student does not see the cancellation")
		}
		r = en.do("GET", "/api/v1/me/notices", nil)
		var notices struct {
			Notices []struct {
				Kind string            `json:"kind"`
				Vars map[string]string `json:"vars"`
			}
		}
		r.decode(t, &notices)
		if len(notices.Notices) != 2 || notices.Notices[0].Kind != "lesson.cancelled" || notices.Notices[0].Vars["reason"] != "I am ill" ||
			notices.Notices[1].Kind != "lesson.moved" || notices.Notices[1].Vars["lesson_id"] != l.ID {
			t.Fatalf("notices %+v", notices)
		}
		// Reopened, it is a lesson again.
		r = teacher.do("POST", "/api/v1/lessons/"+l.ID+"/status", map[string]any{"status": "scheduled"})
		want(t, r, http.StatusOK)
		var reopened lessonJSON
		r.decode(t, &reopened)
		if strings.Contains(string(r.body), "cancel") || reopened.Status != "scheduled" {
			t.Fatalf("reopened %s", r.body)
		}
	})
}

// TestLessonReminders: a day before and 15 minutes before a lesson its
// students and teacher are reminded, once each however often the worker
// looks, and again after the lesson is moved; a cancelled lesson is not
// reminded of.
func TestLessonReminders(t *testing.T) {
	clock := &fakeClock{t: time.Now().UTC().Truncate(time.Minute)}
	forEachBackend(t, func(t *testing.T, h *harness) {
		teacher := h.teacher("t@example.org")
		c := teacher.course("Chess")
		start := clock.now().Add(30 * time.Hour)
		l := teacher.lesson(c.ID, "Openings", start, 45)
		gone := teacher.lesson(c.ID, "Endgames", start.Add(time.Hour), 45)
		s := h.register("s@example.org", "Sam")
		want(t, s.do("POST", "/api/v1/courses/"+c.ID+"/enrolment", nil), http.StatusCreated)
		want(t, teacher.do("POST", "/api/v1/lessons/"+gone.ID+"/cancel", map[string]any{}), http.StatusOK)
		base := len(queuedMail(t, h)) // the cancellation

		remind := func(at time.Time, wantLessons int) {
			t.Helper()
			for range 2 { // the second pass finds nothing new
				n, err := h.api.SendReminders(context.Background(), at)
				if err != nil {
					t.Fatal(err)
				}
				if n != wantLessons {
					t.Fatalf("at %v: reminded of %d lessons, want %d", at.Sub(start), n, wantLessons)
				}
				wantLessons = 0
			}
		}
		remind(start.Add(-25*time.Hour), 0)
		remind(start.Add(-23*time.Hour), 1)
		mails := queuedMail(t, h)[base:]
		if len(mails) != 2 || len(mailTo(mails, "s@example.org")) != 1 || len(mailTo(mails, "t@example.org")) != 1 ||
			!strings.HasPrefix(mails[0].Subject, "Reminder: Openings starts") {
			t.Fatalf("day reminders %+v", mails)
		}
		remind(start.Add(-time.Hour), 0)
		remind(start.Add(-10*time.Minute), 1)
		if mails := queuedMail(t, h)[base:]; len(mails) != 4 || !strings.HasPrefix(mails[3].Subject, "Starting soon: Openings") {
			t.Fatalf("soon reminders %+v", mails)
		}
		// Moved a day later: reminded again for the new time.
		want(t, teacher.do("PATCH", "/api/v1/lessons/"+l.ID, map[string]any{"starts_at": start.Add(24 * time.Hour)}), http.StatusOK)
		remind(start.Add(24*time.Hour-5*time.Minute), 1)
	}, func(cfg *api.Config) { cfg.Now = clock.now })
}

// TestCourseSchedules: the catalogue, "my courses" and the course page
// name the lesson live now and the next one.
func TestCourseSchedules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		teacher := h.teacher("t@example.org")
		c := teacher.course("Piano")
		quiet := teacher.course("Violin")
		now := time.Now().UTC()
		next := teacher.lesson(c.ID, "Scales", now.Add(2*time.Hour), 30)
		teacher.lesson(c.ID, "Chords", now.Add(4*time.Hour), 30)
		live := teacher.lesson(c.ID, "Warm-up", now.Add(-5*time.Minute), 30)
		want(t, teacher.do("POST", "/api/v1/lessons/"+live.ID+"/status", map[string]any{"status": "live"}), http.StatusOK)

		type sched struct {
			ID         string      `json:"id"`
			LiveLesson *lessonJSON `json:"live_lesson"`
			NextLesson *lessonJSON `json:"next_lesson"`
		}
		check := func(where string, got sched) {
			t.Helper()
			switch got.ID {
			case c.ID:
				if got.LiveLesson == nil || got.LiveLesson.ID != live.ID || got.NextLesson == nil || got.NextLesson.ID != next.ID {
					t.Fatalf("%s: %+v", where, got)
				}
			case quiet.ID:
				if got.LiveLesson != nil || got.NextLesson != nil {
					t.Fatalf("%s: a course without lessons has %+v", where, got)
				}
			}
		}
		anon := h.client()
		for _, path := range []string{"/api/v1/courses", "/api/v1/me/courses"} {
			cl := anon
			if strings.HasPrefix(path, "/api/v1/me") {
				cl = teacher
			}
			r := cl.do("GET", path, nil)
			want(t, r, http.StatusOK)
			var list struct{ Courses []sched }
			r.decode(t, &list)
			if len(list.Courses) != 2 {
				t.Fatalf("%s: %d courses", path, len(list.Courses))
			}
			for _, g := range list.Courses {
				check(path, g)
			}
		}
		r := anon.do("GET", "/api/v1/courses/"+c.ID, nil)
		want(t, r, http.StatusOK)
		var one sched
		r.decode(t, &one)
		check("course page", one)
	})
}
