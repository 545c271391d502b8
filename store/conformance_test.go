package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

// TestConformance runs the one conformance suite against every backend.
func TestConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) { conformance(t, b.open) })
	}
}

// conformance is the suite: every case gets a fresh, migrated store from
// open and must behave identically on every backend.
func conformance(t *testing.T, open func(testing.TB) *Store) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s *Store)
	}{
		{"Accounts", testAccounts},
		{"AwkwardText", testAwkwardText},
		{"ListAccounts", testListAccounts},
		{"SetPassword", testSetPassword},
		{"Avatar", testAvatar},
		{"Sessions", testSessions},
		{"PasswordReset", testPasswordReset},
		{"Courses", testCourses},
		{"CourseAtomic", testCourseAtomic},
		{"Cover", testCover},
		{"Enrol", testEnrol},
		{"Lessons", testLessons},
		{"Upcoming", testUpcoming},
		{"ConcurrentWrites", testConcurrentWrites},
		{"Cancelled", testCancelled},
		{"MigrateAgain", testMigrateAgain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open(t)) })
	}
}

var t0 = time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)

// mkAccount stores an account with the given roles.
func mkAccount(t *testing.T, s *Store, email string, roles ...classroom.Role) classroom.Account {
	t.Helper()
	a, err := classroom.NewAccount(email, "Name of "+email, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) > 0 {
		a.Roles, _ = classroom.NewRoles(roles...)
	}
	if err := s.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

func mustIs(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func testAccounts(t *testing.T, s *Store) {
	ctx := context.Background()
	a := mkAccount(t, s, "ada@example.org", classroom.RoleStudent, classroom.RoleTeacher)
	got, err := s.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Email != a.Email || got.DisplayName != a.DisplayName || got.Roles.String() != "student,teacher" ||
		!got.CreatedAt.Equal(a.CreatedAt) || got.PasswordHash != a.PasswordHash {
		t.Errorf("Account = %+v, want %+v", got, a)
	}
	byEmail, err := s.AccountByEmail(ctx, "ada@example.org")
	if err != nil || byEmail.ID != a.ID {
		t.Fatalf("AccountByEmail = %v, %v", byEmail.ID, err)
	}
	_, err = s.AccountByEmail(ctx, "nobody@example.org")
	mustIs(t, err, classroom.ErrNotFound)
	_, err = s.Account(ctx, "00000000-0000-0000-0000-000000000000")
	mustIs(t, err, classroom.ErrNotFound)

	dup, _ := classroom.NewAccount("ada@example.org", "Other", "h", t0)
	mustIs(t, s.CreateAccount(ctx, dup), classroom.ErrEmailTaken)

	lang, name := "zh-Hans", "Ada L."
	if err := a.ApplyProfile(classroom.ProfileChange{DisplayName: &name, Language: &lang}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	a.Roles = a.Roles.With(classroom.RoleAdmin)
	if err := s.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Account(ctx, a.ID)
	if got.DisplayName != name || got.Language != lang || !got.Roles.Has(classroom.RoleAdmin) ||
		!got.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("after update: %+v", got)
	}
	a.ID = "00000000-0000-0000-0000-000000000000"
	mustIs(t, s.UpdateAccount(ctx, a), classroom.ErrNotFound)
}

// testAwkwardText stores quotes, SQL syntax and non-ASCII text verbatim.
func testAwkwardText(t *testing.T, s *Store) {
	ctx := context.Background()
	names := []string{
		`O'Brien`, `"; DROP TABLE accounts; --`, `Robert'); DROP TABLE courses;--`,
		`100% _wild_ \ card`, `李小龙 🎓`, `?, $1, :name, @p`,
	}
	for i, n := range names {
		a, err := classroom.NewAccount(fmt.Sprintf("p%d'x@example.org", i), n, "h", t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateAccount(ctx, a); err != nil {
			t.Fatalf("%q: %v", n, err)
		}
		got, err := s.AccountByEmail(ctx, a.Email)
		if err != nil || got.DisplayName != n {
			t.Errorf("round trip of %q = %q, %v", n, got.DisplayName, err)
		}
	}
	list, err := s.ListAccounts(ctx, classroom.Page{})
	if err != nil || len(list) != len(names) {
		t.Fatalf("ListAccounts = %d, %v; want %d (tables intact)", len(list), err, len(names))
	}
}

func testListAccounts(t *testing.T, s *Store) {
	ctx := context.Background()
	for i := range 5 {
		mkAccount(t, s, fmt.Sprintf("u%d@example.org", i))
	}
	tests := []struct {
		page classroom.Page
		want int
	}{
		{classroom.Page{}, 5},
		{classroom.Page{Limit: 2}, 2},
		{classroom.Page{Limit: 2, Offset: 4}, 1},
		{classroom.Page{Offset: 10}, 0},
		{classroom.Page{Limit: -1, Offset: -3}, 5},
	}
	for _, tt := range tests {
		got, err := s.ListAccounts(ctx, tt.page)
		if err != nil || len(got) != tt.want {
			t.Errorf("ListAccounts(%+v) = %d, %v; want %d", tt.page, len(got), err, tt.want)
		}
	}
}

func testSetPassword(t *testing.T, s *Store) {
	ctx := context.Background()
	a := mkAccount(t, s, "pw@example.org")
	var keep string
	for i := range 3 {
		se, _, _ := classroom.NewSession(a.ID, "ua", "127.0.0.1", t0)
		if err := s.CreateSession(ctx, se); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			keep = se.ID
		}
	}
	r, _, _ := classroom.NewPasswordReset(a.ID, t0)
	if err := s.CreatePasswordReset(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, a.ID, "newhash", keep, t0); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Account(ctx, a.ID)
	if got.PasswordHash != "newhash" {
		t.Errorf("hash = %q", got.PasswordHash)
	}
	ss, _ := s.ListSessions(ctx, a.ID, t0)
	if len(ss) != 1 || ss[0].ID != keep {
		t.Errorf("sessions after SetPassword = %v, want only %s", ss, keep)
	}
	_, err := s.PasswordReset(ctx, r.ID)
	mustIs(t, err, classroom.ErrNotFound)
	mustIs(t, s.SetPassword(ctx, "00000000-0000-0000-0000-000000000000", "h", "", t0), classroom.ErrNotFound)
}

func testAvatar(t *testing.T, s *Store) {
	ctx := context.Background()
	a := mkAccount(t, s, "av@example.org")
	_, err := s.Avatar(ctx, a.ID)
	mustIs(t, err, classroom.ErrNotFound)
	img := classroom.Image{ContentType: "image/png", Data: []byte("\x89PNG\x00\x01'\""), UpdatedAt: t0}
	if err := s.SetAvatar(ctx, a.ID, img); err != nil {
		t.Fatal(err)
	}
	got, err := s.Avatar(ctx, a.ID)
	if err != nil || !bytes.Equal(got.Data, img.Data) || got.ContentType != "image/png" || !got.UpdatedAt.Equal(t0) {
		t.Fatalf("Avatar = %+v, %v", got, err)
	}
	acc, _ := s.Account(ctx, a.ID)
	if acc.AvatarType != "image/png" {
		t.Errorf("AvatarType = %q", acc.AvatarType)
	}
	if err := s.SetAvatar(ctx, a.ID, classroom.Image{UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Avatar(ctx, a.ID)
	mustIs(t, err, classroom.ErrNotFound)
	mustIs(t, s.SetAvatar(ctx, "00000000-0000-0000-0000-000000000000", img), classroom.ErrNotFound)
}

func testSessions(t *testing.T, s *Store) {
	ctx := context.Background()
	a := mkAccount(t, s, "se@example.org")
	b := mkAccount(t, s, "other@example.org")
	se, tok, err := classroom.NewSession(a.ID, `Mozilla/5.0 "quoted"`, "::1", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	gs, ga, err := s.SessionAccount(ctx, se.ID)
	if err != nil || ga.ID != a.ID || gs.UserAgent != se.UserAgent || !gs.ExpiresAt.Equal(se.ExpiresAt) {
		t.Fatalf("SessionAccount = %+v, %+v, %v", gs, ga, err)
	}
	_, secret, _ := classroom.SplitToken(tok)
	if !classroom.CheckSecret(secret, gs.Verifier) {
		t.Error("stored verifier does not match the token")
	}
	if err := s.TouchSession(ctx, se.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	gs, _, _ = s.SessionAccount(ctx, se.ID)
	if !gs.LastSeenAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("LastSeenAt = %v", gs.LastSeenAt)
	}
	old, _, _ := classroom.NewSession(a.ID, "", "", t0.Add(-classroom.SessionTTL-time.Hour))
	s.CreateSession(ctx, old)
	list, err := s.ListSessions(ctx, a.ID, t0)
	if err != nil || len(list) != 1 || list[0].ID != se.ID {
		t.Errorf("ListSessions = %v, %v; want the unexpired one", list, err)
	}
	mustIs(t, s.DeleteSession(ctx, b.ID, se.ID), classroom.ErrNotFound) // not b's
	n, err := s.DeleteExpiredSessions(ctx, t0)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if err := s.DeleteSession(ctx, a.ID, se.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SessionAccount(ctx, se.ID)
	mustIs(t, err, classroom.ErrNotFound)
	missing, _, _ := classroom.NewSession("00000000-0000-0000-0000-000000000000", "", "", t0)
	mustIs(t, s.CreateSession(ctx, missing), classroom.ErrNotFound)
}

func testPasswordReset(t *testing.T, s *Store) {
	ctx := context.Background()
	a := mkAccount(t, s, "reset@example.org")
	se, _, _ := classroom.NewSession(a.ID, "", "", t0)
	s.CreateSession(ctx, se)
	r, tok, _ := classroom.NewPasswordReset(a.ID, t0)
	if err := s.CreatePasswordReset(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := s.PasswordReset(ctx, r.ID)
	_, secret, _ := classroom.SplitToken(tok)
	if err != nil || got.Check(secret, t0) != nil {
		t.Fatalf("PasswordReset = %+v, %v", got, err)
	}
	mustIs(t, s.UsePasswordReset(ctx, r.ID, "h2", t0.Add(2*classroom.ResetTTL)), classroom.ErrBadToken)
	if err := s.UsePasswordReset(ctx, r.ID, "h2", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	acc, _ := s.Account(ctx, a.ID)
	if acc.PasswordHash != "h2" {
		t.Errorf("hash = %q", acc.PasswordHash)
	}
	if ss, _ := s.ListSessions(ctx, a.ID, t0); len(ss) != 0 {
		t.Errorf("sessions survive a reset: %v", ss)
	}
	mustIs(t, s.UsePasswordReset(ctx, r.ID, "h3", t0.Add(2*time.Minute)), classroom.ErrTokenUsed)
	got, _ = s.PasswordReset(ctx, r.ID)
	mustIs(t, got.Check(secret, t0.Add(3*time.Minute)), classroom.ErrTokenUsed)
	mustIs(t, s.UsePasswordReset(ctx, "00000000-0000-0000-0000-000000000000", "h", t0), classroom.ErrNotFound)
}

func testConcurrentWrites(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	title := "Concurrency"
	c, _ := classroom.NewCourse(teacher, classroom.CourseChange{Title: &title}, t0)
	if err := s.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, _ := classroom.NewAccount(fmt.Sprintf("c%d@example.org", i), "C", "h", t0)
			if err := s.CreateAccount(ctx, a); err != nil {
				errs <- err
				return
			}
			for range 2 { // the second is a duplicate
				err := s.Enrol(ctx, classroom.Enrolment{CourseID: c.ID, AccountID: a.ID, CreatedAt: t0})
				if err != nil && !errors.Is(err, classroom.ErrAlreadyEnrolled) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, _ := s.ListAccounts(ctx, classroom.Page{Limit: 100})
	if len(list) != n+1 {
		t.Errorf("%d accounts, want %d", len(list), n+1)
	}
}

func testCancelled(t *testing.T, s *Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.ListAccounts(ctx, classroom.Page{}); err == nil {
		t.Error("a cancelled context still queried")
	}
	a, _ := classroom.NewAccount("late@example.org", "L", "h", t0)
	if err := s.CreateAccount(ctx, a); err == nil {
		t.Error("a cancelled context still wrote")
	}
	if _, err := s.AccountByEmail(context.Background(), "late@example.org"); !errors.Is(err, classroom.ErrNotFound) {
		t.Errorf("cancelled write is visible: %v", err)
	}
}

func testMigrateAgain(t *testing.T, s *Store) {
	ctx := context.Background()
	v, err := s.SchemaVersion(ctx)
	migs, _ := Migrations()
	if err != nil || v != migs[len(migs)-1].Version {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	mkAccount(t, s, "keep@example.org")
	applied, err := s.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second Migrate applied %v, %v; want nothing", applied, err)
	}
	if _, err := s.AccountByEmail(ctx, "keep@example.org"); err != nil {
		t.Errorf("data lost by re-running migrations: %v", err)
	}
}
