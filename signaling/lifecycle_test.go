package signaling_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/internal/peer"
	"github.com/lectern/lectern/signaling"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
	"github.com/lectern/lectern/token"
)

// storedLesson creates a teacher, a course and a live lesson that ended
// (on schedule) an hour ago.
func storedLesson(t *testing.T, st *store.Store) classroom.Lesson {
	t.Helper()
	l, _ := scheduledLesson(t, st, -2*time.Hour)
	l, _, err := classroom.Transition(context.Background(), st, l.ID, classroom.StatusLive, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// scheduledLesson creates a teacher, a course and a scheduled lesson of an
// hour starting at now+in, and returns it with its teacher.
func scheduledLesson(t *testing.T, st *store.Store, in time.Duration) (classroom.Lesson, classroom.Account) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	acc, err := classroom.NewAccount("t@example.org", "T", "x", now)
	if err != nil {
		t.Fatal(err)
	}
	acc.Roles = classroom.Roles{classroom.RoleTeacher}
	if err := st.CreateAccount(ctx, acc); err != nil {
		t.Fatal(err)
	}
	title := "C"
	c, err := classroom.NewCourse(acc, classroom.CourseChange{Title: &title}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	start, d := now.Add(in), time.Hour
	l, err := classroom.NewLesson(c, classroom.LessonChange{Title: &title, StartsAt: &start, Duration: &d}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateLesson(ctx, l); err != nil {
		t.Fatal(err)
	}
	return l, acc
}

// TestOverdueLessonEnds: a live lesson past its scheduled end ends by
// itself once nobody is in it — not while someone is — and the end is
// stored.
func TestOverdueLessonEnds(t *testing.T) {
	st := storetest.SQLite(t)
	l := storedLesson(t, st)
	ts := newServerWith(t, func(c *signaling.Config) {
		c.Lessons = st
		c.EndGrace = time.Minute
		c.SweepEvery = 300 * time.Millisecond
		c.Limits = signaling.Limits{PerAddress: -1}
	})
	status := func() classroom.Status {
		got, err := st.Lesson(context.Background(), l.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}
	c := join(t, ts, l.ID, "someone", token.RoleStudent, nil)
	time.Sleep(1500 * time.Millisecond) // several sweeps
	if s := status(); s != classroom.StatusLive {
		t.Fatalf("ended while someone was in it: %s", s)
	}
	c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for status() != classroom.StatusEnded {
		if time.Now().After(deadline) {
			t.Fatal("an overdue lesson nobody is in did not end")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Ended: the WebSocket door is shut.
	if err := joinErr(t, ts, l.ID, "late"); !peer.IsError(err, "lesson_ended") {
		t.Fatalf("join after the end: %v", err)
	}
}

// joinErr tries to join and returns the error.
func joinErr(t *testing.T, ts *testServer, lesson, user string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := peer.Join(ctx, ts.wsURL(), ts.token(t, lesson, user, token.RoleStudent), nil)
	if err == nil {
		c.Close()
	}
	return err
}

// TestLessonNewsRidesTheMove: the news handed to SetLessonStatus (a
// cancellation, its mail and notice, an audit entry) is written with the
// move, and the room is closed; news for a lesson the store does not
// know, which could not be written, is refused and that lesson's room
// stays open. If the news were dropped on its way to the store, the
// lesson would end uncancelled and unmailed, and this test fails.
func TestLessonNewsRidesTheMove(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	l, teacher := scheduledLesson(t, st, 24*time.Hour)
	ts := newServerWith(t, func(c *signaling.Config) {
		c.Lessons = st
		c.Limits = signaling.Limits{PerAddress: -1}
	})
	now := time.Now()
	news := &classroom.LessonNews{Cancel: true, Reason: "ill",
		Mailing: classroom.Mailing{LessonID: l.ID, Kind: classroom.MailingCancelled, Key: now, At: now},
		Mails:   []classroom.Mail{{To: teacher.Email, Subject: "Cancelled", Body: "ill"}},
		Notices: []classroom.Notice{classroom.NewNotice(teacher.ID, classroom.MailingCancelled, map[string]string{"lesson_id": l.ID}, now)},
		Audit:   classroom.NewAuditEntry(teacher, "127.0.0.1", now, classroom.AuditLessonEnd, "lesson", l.ID, nil, nil)}
	in := join(t, ts, l.ID, "s", token.RoleStudent, nil)
	if _, err := ts.sig.SetLessonStatus(ctx, l.ID, classroom.StatusEnded, teacher.ID, news); err != nil {
		t.Fatal(err)
	}
	got, err := st.Lesson(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != classroom.StatusEnded || !got.Cancelled() || got.CancelReason != "ill" {
		t.Errorf("after the cancellation the stored lesson is %s, cancelled %v (%q)", got.Status, got.Cancelled(), got.CancelReason)
	}
	if mail, err := st.MailTo(ctx, teacher.Email, 0); err != nil || len(mail) != 1 || mail[0].Subject != "Cancelled" {
		t.Errorf("mail queued with the cancellation: %+v, %v", mail, err)
	}
	if list, err := st.Notices(ctx, teacher.ID, classroom.Page{}); err != nil || len(list) != 1 {
		t.Errorf("notices written with the cancellation: %+v, %v", list, err)
	}
	if list, err := st.ListAudit(ctx, classroom.AuditQuery{Target: l.ID}); err != nil || len(list) != 1 ||
		list[0].Action != classroom.AuditLessonEnd {
		t.Errorf("audit entries written with the cancellation: %+v, %v", list, err)
	}
	select {
	case <-in.Done():
		if got := in.CloseStatus(); got != signaling.CloseLessonEnded {
			t.Errorf("the student was closed with %d, want %d", got, signaling.CloseLessonEnded)
		}
	case <-time.After(5 * time.Second):
		t.Error("the cancelled lesson's room stayed open")
	}

	// A lesson only the room knows (operator tokens) has nowhere to keep
	// news: the move is refused rather than made without it.
	other := join(t, ts, "operator-lesson", "s", token.RoleStudent, nil)
	if _, err := ts.sig.SetLessonStatus(ctx, "operator-lesson", classroom.StatusEnded, teacher.ID, news); !errors.Is(err, classroom.ErrNotFound) {
		t.Fatalf("news for a lesson the store does not know: %v, want not found", err)
	}
	if _, err := other.Request(ctx, signaling.TypePing, struct{}{}); err != nil {
		t.Fatalf("the room of the refused move: %v", err)
	}
	if _, err := ts.sig.SetLessonStatus(ctx, "operator-lesson", classroom.StatusEnded, "operator", nil); err != nil {
		t.Fatalf("the same move without news: %v", err)
	}
}
