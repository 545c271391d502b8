package store

import (
	"context"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// testMaterialReview: a pending material is in the queue until a decision
// (compare-and-set on the review state) is written with its audit entry
// and notice, all or nothing; trust is written with its entry.
func testMaterialReview(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	course := mkCourse(t, s, teacher, "Course")
	old := mkMaterial(course, teacher, sha('a'), 10)
	if err := s.InsertMaterial(ctx, old, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Material(ctx, old.ID); got.Review != content.ReviewApproved || !got.Approved() {
		t.Fatalf("a material without a review state reads as %q", got.Review)
	}
	pending := mkMaterial(course, teacher, sha('b'), 10)
	pending.Review = content.ReviewPending
	if err := s.InsertMaterial(ctx, pending, 0); err != nil {
		t.Fatal(err)
	}
	queue, err := s.PendingMaterials(ctx, classroom.Page{})
	if err != nil || len(queue) != 1 || queue[0].ID != pending.ID || queue[0].Approved() {
		t.Fatalf("queue %+v, %v", queue, err)
	}

	decided := pending
	if err := decided.Decide(false, "blurry", "rev", t0); err != nil {
		t.Fatal(err)
	}
	notice := classroom.NewNotice(teacher.ID, classroom.NoticeMaterialRejected, map[string]string{"reason": "blurry"}, t0)
	// A failed audit write fails the decision and its notice.
	bad := entry(classroom.AuditMaterialReject, pending.ID)
	bad.ID = "dup"
	if err := s.AppendAudit(ctx, bad); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMaterialReview(ctx, decided, content.ReviewPending, bad, notice); err == nil {
		t.Fatal("a decision written with a failing audit entry")
	}
	if got, _ := s.Material(ctx, pending.ID); got.Review != content.ReviewPending {
		t.Fatalf("after a failed write the material is %q", got.Review)
	}
	if n, _ := s.Notices(ctx, teacher.ID, classroom.Page{}); len(n) != 0 {
		t.Fatalf("notices of a failed write: %+v", n)
	}

	if err := s.SetMaterialReview(ctx, decided, content.ReviewPending, entry(classroom.AuditMaterialReject, pending.ID), notice); err != nil {
		t.Fatal(err)
	}
	got, err := s.Material(ctx, pending.ID)
	if err != nil || got.Review != content.ReviewRejected || got.ReviewNote != "blurry" || got.ReviewedBy != "rev" || !got.ReviewedAt.Equal(t0) {
		t.Fatalf("decided material %+v, %v", got, err)
	}
	if n, _ := s.Notices(ctx, teacher.ID, classroom.Page{}); len(n) != 1 || n[0].Vars["reason"] != "blurry" {
		t.Fatalf("notices %+v", n)
	}
	// The second decision on the same state loses.
	mustIs(t, s.SetMaterialReview(ctx, decided, content.ReviewPending, classroom.AuditEntry{}), classroom.ErrConflict)
	missing := decided
	missing.ID = "00000000-0000-0000-0000-000000000000"
	mustIs(t, s.SetMaterialReview(ctx, missing, content.ReviewPending, classroom.AuditEntry{}), classroom.ErrNotFound)
	if queue, err := s.PendingMaterials(ctx, classroom.Page{}); err != nil || len(queue) != 0 {
		t.Fatalf("queue after the decision %+v, %v", queue, err)
	}
	// UpdateMaterial leaves the review alone.
	got.Name = "renamed.pdf"
	if err := s.UpdateMaterial(ctx, got); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Material(ctx, got.ID); again.Review != content.ReviewRejected || again.Name != "renamed.pdf" {
		t.Fatalf("after a rename %+v", again)
	}

	// Trust, written with its audit entry or not at all.
	if err := s.SetTrusted(ctx, teacher.ID, t0, bad); err == nil {
		t.Fatal("trust written with a failing audit entry")
	}
	if a, _ := s.Account(ctx, teacher.ID); a.Trusted() {
		t.Fatal("trusted by a failed write")
	}
	if err := s.SetTrusted(ctx, teacher.ID, t0, entry(classroom.AuditAccountTrust, teacher.ID)); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, teacher.ID); !a.Trusted() || !a.TrustedAt.Equal(t0) {
		t.Fatalf("trusted %v", a.TrustedAt)
	}
	if err := s.SetTrusted(ctx, teacher.ID, time.Time{}, entry(classroom.AuditAccountUntrust, teacher.ID)); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Account(ctx, teacher.ID); a.Trusted() {
		t.Fatal("still trusted")
	}
	mustIs(t, s.SetTrusted(ctx, "nobody", t0, classroom.AuditEntry{}), classroom.ErrNotFound)
}
