package signaling_test

import (
	"context"
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
	start, d := now.Add(-2*time.Hour), time.Hour
	l, err := classroom.NewLesson(c, classroom.LessonChange{Title: &title, StartsAt: &start, Duration: &d}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateLesson(ctx, l); err != nil {
		t.Fatal(err)
	}
	if l, _, err = classroom.Transition(ctx, st, l.ID, classroom.StatusLive, now); err != nil {
		t.Fatal(err)
	}
	return l
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
