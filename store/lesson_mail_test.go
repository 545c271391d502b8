package store

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

func TestLessonMailConformance(t *testing.T) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s *Store)
	}{
		{"CancelQueuesOnce", testCancelQueuesOnce},
		{"RemindersOncePerStart", testRemindersOncePerStart},
		{"EnrolledAccounts", testEnrolledAccounts},
		{"CourseSchedules", testCourseSchedules},
	}
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.fn(t, b.open(t)) })
			}
		})
	}
}

// outboxCount counts queued (unsent) mail due at the far future.
func outboxCount(t *testing.T, s *Store) int {
	t.Helper()
	due, err := s.DueMail(context.Background(), t0.Add(1000*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(due)
}

func noticeCount(t *testing.T, s *Store, accountID string) int {
	t.Helper()
	list, err := s.Notices(context.Background(), accountID, classroom.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func testCancelQueuesOnce(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	st := mkAccount(t, s, "s@example.org")
	c := mkCourse(t, s, teacher, "Course")
	l := mkLesson(t, s, c, "One", t0.Add(48*time.Hour), time.Hour)
	mails := []classroom.Mail{{To: st.Email, Subject: "Cancelled", Body: "sorry"}}
	notices := []classroom.Notice{classroom.NewNotice(st.ID, classroom.MailingCancelled, map[string]string{"lesson": l.Title}, t0)}
	m := classroom.Mailing{LessonID: l.ID, Kind: classroom.MailingCancelled, Key: t0, At: t0}

	news := classroom.LessonNews{Cancel: true, Reason: "ill", Mailing: m, Mails: mails, Notices: notices}
	cancel := func(id string, news classroom.LessonNews) error {
		_, _, err := classroom.Transition(ctx, s, id, classroom.StatusEnded, t0, &news)
		return err
	}

	// A failure in any part (here a header injection in the mail) leaves
	// nothing half done: the lesson is neither ended nor cancelled and
	// nothing is queued.
	bad := news
	bad.Mails = []classroom.Mail{{To: st.Email, Subject: "Cancelled\r\nBcc: x@example.org", Body: "sorry"}}
	mustIs(t, cancel(l.ID, bad), classroom.ErrInvalid)
	if got, _ := s.Lesson(ctx, l.ID); got.Status != classroom.StatusScheduled || got.Cancelled() {
		t.Fatalf("after a failed cancellation the lesson is %+v", got)
	}
	if n, k := outboxCount(t, s), noticeCount(t, s, st.ID); n != 0 || k != 0 {
		t.Fatalf("%d mails and %d notices queued by a failed cancellation", n, k)
	}

	// Ended, cancelled and mailed in one write.
	if err := cancel(l.ID, news); err != nil {
		t.Fatal(err)
	}
	got, err := s.Lesson(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Cancelled() || !got.CancelledAt.Equal(t0) || got.CancelReason != "ill" || got.Status != classroom.StatusEnded {
		t.Fatalf("stored %+v", got)
	}
	// Twice: refused, nothing queued again.
	mustIs(t, cancel(l.ID, news), classroom.ErrAlreadyEnded)
	if n := outboxCount(t, s); n != 1 {
		t.Fatalf("%d mails queued, want 1", n)
	}
	due, _ := s.DueMail(ctx, t0.Add(time.Hour), 10)
	if err := s.MarkMailSent(ctx, due[0].ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.MailTo(ctx, st.Email, 0); err != nil || len(got) != 1 || got[0].Subject != "Cancelled" || !got[0].SentAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("mail to the student: %+v, %v", got, err)
	}
	if n := noticeCount(t, s, st.ID); n != 1 {
		t.Fatalf("%d notices, want 1", n)
	}
	mustIs(t, cancel("00000000-0000-4000-8000-000000000000", news), classroom.ErrNotFound)

	// Only a scheduled lesson is cancelled: a live one is refused, and
	// stays live.
	live := mkLesson(t, s, c, "Live", t0.Add(24*time.Hour), time.Hour)
	if _, _, err := classroom.Transition(ctx, s, live.ID, classroom.StatusLive, t0, nil); err != nil {
		t.Fatal(err)
	}
	mustIs(t, cancel(live.ID, news), classroom.ErrStatus)
	if got, _ := s.Lesson(ctx, live.ID); got.Status != classroom.StatusLive || got.Cancelled() {
		t.Fatalf("a refused cancellation left %+v", got)
	}
	// A move's mailing rides the move: queued with it, not without it.
	moved := mkLesson(t, s, c, "Moved", t0.Add(96*time.Hour), time.Hour)
	moveNews := &classroom.LessonNews{Mailing: classroom.Mailing{LessonID: moved.ID, Kind: classroom.MailingMoved, Key: t0, At: t0},
		Mails: []classroom.Mail{{To: st.Email, Subject: "Moved", Body: "later"}}}
	stale := moved
	stale.StartsAt = moved.StartsAt.Add(time.Hour)
	mustIs(t, s.UpdateLesson(ctx, stale, classroom.StatusLive, moveNews), classroom.ErrConflict)
	if n := outboxCount(t, s); n != 0 {
		t.Fatalf("%d mails after a failed move, want 0", n)
	}
	if err := s.UpdateLesson(ctx, stale, classroom.StatusScheduled, moveNews); err != nil {
		t.Fatal(err)
	}
	if n := outboxCount(t, s); n != 1 {
		t.Fatalf("%d mails after the move, want 1", n)
	}
	due, _ = s.DueMail(ctx, t0.Add(time.Hour), 10)
	if err := s.MarkMailSent(ctx, due[0].ID, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}

	// A header injection fails the whole transaction.
	l2 := mkLesson(t, s, c, "Two", t0.Add(72*time.Hour), time.Hour)
	_, err = s.QueueMailing(ctx, classroom.Mailing{LessonID: l2.ID, Kind: classroom.MailingMoved, Key: t0, At: t0},
		[]classroom.Mail{{To: "x@example.org\r\nBcc: y@example.org", Subject: "s", Body: "b"}}, notices)
	mustIs(t, err, classroom.ErrInvalid)
	if n := outboxCount(t, s); n != 0 {
		t.Fatalf("%d mails after a refused mailing, want 0", n)
	}
	if ok, err := s.QueueMailing(ctx, classroom.Mailing{LessonID: l2.ID, Kind: classroom.MailingMoved, Key: t0, At: t0},
		mails, nil); err != nil || !ok {
		t.Fatalf("the mailing was claimed by the refused attempt: %v %v", ok, err)
	}

	// Reopening clears the cancellation.
	reopened, _, err := classroom.Transition(ctx, s, l.ID, classroom.StatusScheduled, t0.Add(time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Lesson(ctx, l.ID); reopened.Cancelled() || got.Cancelled() || got.CancelReason != "" {
		t.Fatalf("reopened lesson still cancelled: %+v", got)
	}
}

func testRemindersOncePerStart(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	c := mkCourse(t, s, teacher, "Course")
	soon := mkLesson(t, s, c, "Soon", t0.Add(10*time.Minute), time.Hour)
	later := mkLesson(t, s, c, "Later", t0.Add(20*time.Hour), time.Hour)
	mkLesson(t, s, c, "Far", t0.Add(30*time.Hour), time.Hour)
	mkLesson(t, s, c, "Past", t0.Add(-time.Minute), time.Hour)

	due := func(kind string, from, to time.Time) []string {
		t.Helper()
		list, err := s.LessonsToRemind(ctx, kind, from, to, 0)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, l := range list {
			titles = append(titles, l.Title)
		}
		return titles
	}
	kind := classroom.MailingReminderDay
	if got := due(kind, t0, t0.Add(24*time.Hour)); len(got) != 2 || got[0] != "Soon" || got[1] != "Later" {
		t.Fatalf("due %v, want [Soon Later]", got)
	}
	for _, l := range []classroom.Lesson{soon, later} {
		m := classroom.Mailing{LessonID: l.ID, Kind: kind, Key: l.StartsAt, At: t0}
		if ok, err := s.QueueMailing(ctx, m, []classroom.Mail{{To: "s@example.org", Subject: "r", Body: "b"}}, nil); err != nil || !ok {
			t.Fatalf("first claim %v %v", ok, err)
		}
		if ok, err := s.QueueMailing(ctx, m, []classroom.Mail{{To: "s@example.org", Subject: "r", Body: "b"}}, nil); err != nil || ok {
			t.Fatalf("second claim %v %v", ok, err)
		}
	}
	if got := due(kind, t0, t0.Add(24*time.Hour)); len(got) != 0 {
		t.Fatalf("reminded lessons still due: %v", got)
	}
	if got := due(classroom.MailingReminderSoon, t0, t0.Add(15*time.Minute)); len(got) != 1 || got[0] != "Soon" {
		t.Fatalf("soon reminders due %v", got)
	}
	// Moved: due again for its new start.
	prev := later.Status
	moved := later.StartsAt.Add(time.Hour)
	if err := later.Apply(classroom.LessonChange{StartsAt: &moved}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateLesson(ctx, later, prev, nil); err != nil {
		t.Fatal(err)
	}
	if got := due(kind, t0, t0.Add(24*time.Hour)); len(got) != 1 || got[0] != "Later" {
		t.Fatalf("a moved lesson is not due again: %v", got)
	}
	if n := outboxCount(t, s); n != 2 {
		t.Fatalf("%d mails, want 2", n)
	}
}

func testEnrolledAccounts(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	c := mkCourse(t, s, teacher, "Course")
	other := mkCourse(t, s, teacher, "Other")
	a := mkAccount(t, s, "a@example.org")
	b := mkAccount(t, s, "b@example.org")
	gone := mkAccount(t, s, "gone@example.org")
	mkAccount(t, s, "admin@example.org", classroom.RoleAdmin) // keeps an admin
	for i, acc := range []classroom.Account{a, b, gone} {
		if err := s.Enrol(ctx, classroom.Enrolment{CourseID: c.ID, AccountID: acc.ID, CreatedAt: t0.Add(time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Enrol(ctx, classroom.Enrolment{CourseID: other.ID, AccountID: a.ID, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, gone.ID, t0, entry(classroom.AuditAccountDisable, gone.ID)); err != nil {
		t.Fatal(err)
	}
	list, err := s.EnrolledAccounts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID || list[0].Email != a.Email {
		t.Fatalf("students %+v", list)
	}
}

func testCourseSchedules(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	a := mkCourse(t, s, teacher, "A")
	b := mkCourse(t, s, teacher, "B")
	empty := mkCourse(t, s, teacher, "Empty")
	mkLesson(t, s, a, "A over", t0.Add(-3*time.Hour), time.Hour)
	mkLesson(t, s, a, "A third", t0.Add(3*time.Hour), time.Hour)
	mkLesson(t, s, a, "A second", t0.Add(2*time.Hour), time.Hour)
	running := mkLesson(t, s, a, "A running", t0.Add(-30*time.Minute), time.Hour) // scheduled, not over
	live := mkLesson(t, s, b, "B live", t0.Add(-10*time.Minute), time.Hour)
	mkLesson(t, s, b, "B next", t0.Add(24*time.Hour), time.Hour)
	if _, _, err := classroom.Transition(ctx, s, live.ID, classroom.StatusLive, t0, nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.CourseSchedules(ctx, []string{a.ID, b.ID, empty.ID}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if cs := got[a.ID]; cs.Live != nil || cs.Next == nil || cs.Next.ID != running.ID {
		t.Fatalf("course A %+v", cs)
	}
	if cs := got[b.ID]; cs.Live == nil || cs.Live.ID != live.ID || cs.Next == nil || cs.Next.Title != "B next" {
		t.Fatalf("course B %+v", cs)
	}
	if _, ok := got[empty.ID]; ok {
		t.Fatal("a course without lessons has a schedule")
	}
	if got, err := s.CourseSchedules(ctx, nil, t0); err != nil || len(got) != 0 {
		t.Fatalf("no courses: %v %v", got, err)
	}
}

// TestMailKeysMigration: orders paid and refunds decided before 0013 are
// not mailed after the upgrade; what is paid afterwards is.
func TestMailKeysMigration(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			s := openBefore(t, b, 13)
			// The course row as 0012 has it: the store's CreateCourse writes
			// tables that later migrations add (0017's tags and search).
			f := billingFixture{
				teacher: mkAccount(t, s, "teacher-"+uuid.NewString()[:8]+"@example.org", classroom.RoleTeacher),
				student: mkAccount(t, s, "student-"+uuid.NewString()[:8]+"@example.org", classroom.RoleStudent),
				course:  classroom.Course{ID: uuid.NewString()},
			}
			if _, err := s.db.exec(ctx, `INSERT INTO courses (id, teacher_id, title, state, created_at, updated_at)
				VALUES (?, ?, 'Paid course', 'published', 1, 1)`, f.course.ID, f.teacher.ID); err != nil {
				t.Fatal(err)
			}
			paid := mkOrder(f, "before")
			paid.Status, paid.PaidAt = billing.StatusPaid, time.Now()
			btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, paid) })
			r := billing.Refund{ID: uuid.NewString(), OrderID: paid.ID, AccountID: paid.AccountID, CourseID: paid.CourseID,
				TeacherID: paid.TeacherID, Status: billing.RefundDeclined, Amount: 1, Currency: "EUR", RequestedBy: paid.AccountID,
				CreatedAt: time.Now(), DecidedAt: time.Now()}
			btx(t, s, func(tx billing.Tx) error { return tx.InsertRefund(ctx, r) })
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			since := time.Now().Add(-time.Hour)
			if got, err := s.UnmailedReceipts(ctx, since, 0); err != nil || len(got) != 0 {
				t.Fatalf("receipts due after the upgrade: %v, %v", got, err)
			}
			if got, err := s.UnmailedRefundDecisions(ctx, since, 0); err != nil || len(got) != 0 {
				t.Fatalf("refund mail due after the upgrade: %v, %v", got, err)
			}
			after := mkOrder(f, "after")
			after.Status, after.PaidAt = billing.StatusPaid, time.Now()
			btx(t, s, func(tx billing.Tx) error { return tx.InsertOrder(ctx, after) })
			if got, err := s.UnmailedReceipts(ctx, since, 0); err != nil || len(got) != 1 || got[0].ID != after.ID {
				t.Fatalf("receipts due: %v, %v", got, err)
			}
		})
	}
}
