package store

import (
	"context"
	"testing"
	"time"

	"github.com/lectern/lectern/billing"
	"github.com/lectern/lectern/classroom"
)

func TestPublishingConformance(t *testing.T) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s *Store)
	}{
		{"LastAdmin", testLastAdmin},
		{"AuditFailureFailsTheAction", testAuditFailure},
		{"TeacherApplications", testTeacherApplications},
		{"SearchAccounts", testSearchAccounts},
		{"ReviewCompareAndSet", testReviewCAS},
	}
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.fn(t, b.open(t)) })
			}
			t.Run("ExistingCoursesPublished", func(t *testing.T) { testMigrationPublishes(t, b) })
		})
	}
}

func auditCount(t *testing.T, s *Store) int {
	t.Helper()
	list, err := s.ListAudit(context.Background(), classroom.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func entry(action classroom.AuditAction, target string) classroom.AuditEntry {
	return classroom.AuditEntry{At: t0, ActorID: "actor", ActorEmail: "actor@example.org", IP: "192.0.2.1",
		Action: action, TargetType: "account", TargetID: target, Before: `{"a":1}`, After: `{"a":2}`}
}

func testLastAdmin(t *testing.T, s *Store) {
	ctx := context.Background()
	a := mkAccount(t, s, "only@example.org", classroom.RoleAdmin)
	mustIs(t, s.SetDisabled(ctx, a.ID, t0, entry(classroom.AuditAccountDisable, a.ID)), classroom.ErrLastAdmin)
	mustIs(t, s.SetRoles(ctx, a.ID, classroom.Roles{classroom.RoleStudent}, t0, entry(classroom.AuditAccountRoles, a.ID)),
		classroom.ErrLastAdmin)
	if got, _ := s.Account(ctx, a.ID); got.Disabled() || !got.Roles.Has(classroom.RoleAdmin) {
		t.Fatalf("refused change written: %+v", got)
	}
	if n := auditCount(t, s); n != 0 {
		t.Fatalf("%d audit entries for refused changes", n)
	}
	b := mkAccount(t, s, "second@example.org", classroom.RoleAdmin)
	se, _, err := classroom.NewSession(a.ID, "ua", "192.0.2.1", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDisabled(ctx, a.ID, t0, entry(classroom.AuditAccountDisable, a.ID)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx, a.ID); !got.Disabled() {
		t.Fatal("not disabled")
	}
	mustIs(t, func() error { _, _, err := s.SessionAccount(ctx, se.ID); return err }(), classroom.ErrNotFound)
	// b is now the last enabled admin.
	mustIs(t, s.SetDisabled(ctx, b.ID, t0, entry(classroom.AuditAccountDisable, b.ID)), classroom.ErrLastAdmin)
	if err := s.SetDisabled(ctx, a.ID, time.Time{}, entry(classroom.AuditAccountEnable, a.ID)); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, s); n != 2 {
		t.Fatalf("%d audit entries, want 2", n)
	}
}

// testAuditFailure: when the audit entry cannot be written, the audited
// change is not written either.
func testAuditFailure(t *testing.T, s *Store) {
	ctx := context.Background()
	admin := mkAccount(t, s, "admin@example.org", classroom.RoleAdmin)
	u := mkAccount(t, s, "u@example.org", classroom.RoleStudent)
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	c := mkCourse(t, s, teacher, "Course")
	app, err := classroom.NewTeacherApplication(u, "let me teach", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTeacherApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.exec(ctx, "DROP TABLE audit_log"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRoles(ctx, u.ID, classroom.Roles{classroom.RoleAdmin}, t0, entry(classroom.AuditAccountRoles, u.ID)); err == nil {
		t.Fatal("role change succeeded without its audit entry")
	}
	if err := s.SetDisabled(ctx, u.ID, t0, entry(classroom.AuditAccountDisable, u.ID)); err == nil {
		t.Fatal("disabling succeeded without its audit entry")
	}
	if _, err := s.RevokeSessions(ctx, u.ID, entry(classroom.AuditAccountSignOutAll, u.ID)); err == nil {
		t.Fatal("sign-out succeeded without its audit entry")
	}
	if got, _ := s.Account(ctx, u.ID); got.Roles.Has(classroom.RoleAdmin) || got.Disabled() {
		t.Fatalf("change written without its audit entry: %+v", got)
	}
	if err := app.Decide(admin, true, "", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideTeacherApplication(ctx, app, entry(classroom.AuditTeacherApprove, u.ID)); err == nil {
		t.Fatal("application decided without its audit entry")
	}
	if got, _ := s.Account(ctx, u.ID); got.Roles.Has(classroom.RoleTeacher) {
		t.Fatal("teacher role given without its audit entry")
	}
	prev := c.State
	c.State = classroom.StateArchived
	if err := s.SetCourseReview(ctx, c, prev, entry(classroom.AuditCourseArchive, c.ID)); err == nil {
		t.Fatal("course archived without its audit entry")
	}
	if got, _ := s.Course(ctx, c.ID); got.State != classroom.StateDraft {
		t.Fatalf("course state %q written without its audit entry", got.State)
	}
	// Billing's audited changes (price changes, refund decisions) write
	// their entry in billing's transaction.
	err = s.BillingTx(ctx, func(tx billing.Tx) error {
		if err := tx.PutPrice(ctx, billing.Price{CourseID: c.ID, Money: billing.Money{Amount: 100, Currency: "CNY"},
			UpdatedAt: t0}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, entry(classroom.AuditPriceSet, c.ID))
	})
	if err == nil {
		t.Fatal("price set without its audit entry")
	}
	mustIs(t, func() error { _, err := s.Price(ctx, c.ID); return err }(), classroom.ErrNotFound)
}

func testTeacherApplications(t *testing.T, s *Store) {
	ctx := context.Background()
	admin := mkAccount(t, s, "admin@example.org", classroom.RoleAdmin)
	u := mkAccount(t, s, "u@example.org", classroom.RoleStudent)
	app, _ := classroom.NewTeacherApplication(u, "first", t0)
	if err := s.CreateTeacherApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	mustIs(t, s.CreateTeacherApplication(ctx, app), classroom.ErrAlreadyApplied)
	got, err := s.TeacherApplication(ctx, u.ID)
	if err != nil || got.Status != classroom.ApplicationPending || got.Message != "first" || got.Email != u.Email {
		t.Fatalf("%+v %v", got, err)
	}
	if err := got.Decide(admin, false, "tell us more", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideTeacherApplication(ctx, got, entry(classroom.AuditTeacherReject, u.ID)); err != nil {
		t.Fatal(err)
	}
	mustIs(t, s.DecideTeacherApplication(ctx, got, entry(classroom.AuditTeacherReject, u.ID)), classroom.ErrConflict)
	// A rejected applicant may apply again.
	again, _ := classroom.NewTeacherApplication(u, "second", t0.Add(time.Hour))
	if err := s.CreateTeacherApplication(ctx, again); err != nil {
		t.Fatal(err)
	}
	pending, err := s.ListTeacherApplications(ctx, classroom.ApplicationPending, classroom.Page{})
	if err != nil || len(pending) != 1 || pending[0].Message != "second" || pending[0].Reason != "" {
		t.Fatalf("pending %+v %v", pending, err)
	}
	if err := pending[0].Decide(admin, true, "", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DecideTeacherApplication(ctx, pending[0], entry(classroom.AuditTeacherApprove, u.ID)); err != nil {
		t.Fatal(err)
	}
	if acc, _ := s.Account(ctx, u.ID); !acc.Roles.Has(classroom.RoleTeacher) || !acc.Roles.Has(classroom.RoleStudent) {
		t.Fatalf("approved applicant's roles %v", acc.Roles)
	}
	mustIs(t, s.CreateTeacherApplication(ctx, again), classroom.ErrAlreadyApplied)
}

func testSearchAccounts(t *testing.T, s *Store) {
	ctx := context.Background()
	mkAccount(t, s, "ada@example.org")
	mkAccount(t, s, "grace@example.org")
	mkAccount(t, s, "under_score@example.org")
	for q, want := range map[string]int{"ADA": 1, "example": 3, "name of grace": 1, "_": 1, "%": 0, "nobody": 0} {
		got, err := s.SearchAccounts(ctx, q, classroom.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("search %q: %d accounts, want %d", q, len(got), want)
		}
	}
}

func testReviewCAS(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	c := mkCourse(t, s, teacher, "Course")
	stale := c
	next := c
	if err := next.Submit(teacher, classroom.RelationTeacher, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCourseReview(ctx, next, classroom.StateDraft, classroom.AuditEntry{}); err != nil {
		t.Fatal(err)
	}
	// A second writer that read the draft loses.
	if err := stale.Submit(teacher, classroom.RelationTeacher, t0); err != nil {
		t.Fatal(err)
	}
	mustIs(t, s.SetCourseReview(ctx, stale, classroom.StateDraft, classroom.AuditEntry{}), classroom.ErrConflict)
	// An edit after reading moves the revision on: the write is refused.
	title := "Edited"
	edited, _ := s.Course(ctx, c.ID)
	if err := edited.Apply(classroom.CourseChange{Title: &title}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateCourse(ctx, edited); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Course(ctx, c.ID)
	if got.Revision != next.Revision+1 || got.State != classroom.StateInReview || got.SubmittedRevision != next.Revision {
		t.Fatalf("after edit %+v", got.Review)
	}
	mustIs(t, s.SetCourseReview(ctx, next, classroom.StateInReview, classroom.AuditEntry{}), classroom.ErrConflict)
	missing := next
	missing.ID = "00000000-0000-0000-0000-000000000009"
	mustIs(t, s.SetCourseReview(ctx, missing, classroom.StateInReview, classroom.AuditEntry{}), classroom.ErrNotFound)
}

// testMigrationPublishes: a database with courses from before publishing
// existed keeps them in the catalogue after migration 0008.
// openBefore opens a store of backend b whose schema stops before
// migration version (as an older Lectern left it); Migrate brings it up.
func openBefore(t *testing.T, b testBackend, version int64) *Store {
	t.Helper()
	ctx := context.Background()
	cfg := Config{DataDir: t.TempDir()}
	if b.name == "postgres" {
		cfg = Config{DatabaseURL: pgURL(t)}
	}
	fresh, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Close() })
	migs, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.db.exec(ctx, createMigrationsTable); err != nil {
		t.Fatal(err)
	}
	for _, m := range migs {
		if m.Version >= version {
			break
		}
		for _, stmt := range splitStatements(onlyFor(m.SQL, fresh.Backend())) {
			if _, err := fresh.db.exec(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", m.Name, err)
			}
		}
		if _, err := fresh.db.exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)",
			m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	return fresh
}

func testMigrationPublishes(t *testing.T, b testBackend) {
	ctx := context.Background()
	// The schema as it was at version 7, with a course in it.
	fresh := openBefore(t, b, 8)
	if _, err := fresh.db.exec(ctx, `INSERT INTO accounts (id, email, display_name, password_hash, roles,
		created_at, updated_at) VALUES ('00000000-0000-0000-0000-00000000000a', 'old@example.org', 'Old', 'x', 'teacher', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.db.exec(ctx, `INSERT INTO courses (id, teacher_id, title, created_at, updated_at)
		VALUES ('00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-00000000000a', 'Old course', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := fresh.Course(ctx, "00000000-0000-0000-0000-00000000000b")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != classroom.StatePublished || c.Revision != 1 {
		t.Fatalf("old course after migration: %+v", c.Review)
	}
	list, err := fresh.ListCourses(ctx, classroom.CourseQuery{States: []classroom.CourseState{classroom.StatePublished}})
	if err != nil || len(list) != 1 {
		t.Fatalf("catalogue after migration: %v %v", list, err)
	}
}
