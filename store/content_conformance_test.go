package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// TestContentConformance runs content.Store's conformance cases on every
// backend.
func TestContentConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				fn   func(t *testing.T, s *Store)
			}{
				{"Materials", testMaterials},
				{"MaterialQuotaAndDuplicates", testMaterialQuota},
				{"MaterialConcurrentDuplicates", testMaterialConcurrent},
				{"MaterialReview", testMaterialReview},
			} {
				t.Run(c.name, func(t *testing.T) { c.fn(t, b.open(t)) })
			}
		})
	}
}

func mkMaterial(course classroom.Course, by classroom.Account, sha string, size int64) content.Material {
	return content.Material{ID: uuid.NewString(), CourseID: course.ID, Name: "Notes 第一讲 '\"; --.pdf",
		MediaType: "application/pdf", Kind: content.KindPDF, Size: size, SHA256: sha, Pages: 3,
		Status: content.StatusReady, CreatedBy: by.ID, CreatedAt: t0, Review: content.ReviewApproved}
}

func sha(c byte) string { return strings.Repeat(string(c), 64) }

func testMaterials(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	course := mkCourse(t, s, teacher, "Course")
	m := mkMaterial(course, teacher, sha('a'), 100)
	if err := s.InsertMaterial(ctx, m, 0); err != nil {
		t.Fatal(err)
	}
	got, err := s.Material(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != m {
		t.Fatalf("read back %+v, stored %+v", got, m)
	}
	m.Status, m.Detail, m.Progress, m.Downloadable, m.Name = content.StatusFailed, "ffmpeg: bad", 40, true, "renamed"
	if err := s.UpdateMaterial(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Material(ctx, m.ID); got != m {
		t.Fatalf("after update %+v, want %+v", got, m)
	}
	m2 := mkMaterial(course, teacher, sha('b'), 50)
	m2.CreatedAt = t0.Add(time.Millisecond)
	if err := s.InsertMaterial(ctx, m2, 0); err != nil {
		t.Fatal(err)
	}
	list, err := s.Materials(ctx, course.ID)
	if err != nil || len(list) != 2 || list[0].ID != m.ID || list[1].ID != m2.ID {
		t.Fatalf("list = %v, %v", list, err)
	}
	if n, err := s.CourseUsage(ctx, course.ID); err != nil || n != 150 {
		t.Fatalf("usage = %d, %v; want 150", n, err)
	}
	if used, err := s.BlobInUse(ctx, sha('a')); err != nil || !used {
		t.Fatalf("BlobInUse = %v, %v", used, err)
	}
	if err := s.DeleteMaterial(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if used, err := s.BlobInUse(ctx, sha('a')); err != nil || used {
		t.Fatalf("BlobInUse after delete = %v, %v", used, err)
	}
	for name, err := range map[string]error{
		"get":    func() error { _, err := s.Material(ctx, m.ID); return err }(),
		"delete": s.DeleteMaterial(ctx, m.ID),
		"update": s.UpdateMaterial(ctx, m),
		"insert into a missing course": func() error {
			x := mkMaterial(course, teacher, sha('c'), 1)
			x.CourseID = uuid.NewString()
			return s.InsertMaterial(ctx, x, 0)
		}(),
	} {
		if !errors.Is(err, content.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

func testMaterialQuota(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	course := mkCourse(t, s, teacher, "Course")
	other := mkCourse(t, s, teacher, "Other")
	first := mkMaterial(course, teacher, sha('a'), 60)
	if err := s.InsertMaterial(ctx, first, 100); err != nil {
		t.Fatal(err)
	}
	err := s.InsertMaterial(ctx, mkMaterial(course, teacher, sha('b'), 41), 100)
	if !errors.Is(err, content.ErrQuota) {
		t.Fatalf("over quota: %v", err)
	}
	if err := s.InsertMaterial(ctx, mkMaterial(course, teacher, sha('b'), 40), 100); err != nil {
		t.Fatalf("exactly at quota: %v", err)
	}
	var de *content.DuplicateError
	if err := s.InsertMaterial(ctx, mkMaterial(course, teacher, sha('a'), 60), 0); !errors.As(err, &de) || de.Existing.ID != first.ID {
		t.Fatalf("duplicate: %v", err)
	}
	// The same bytes in another course are that course's own material.
	if err := s.InsertMaterial(ctx, mkMaterial(other, teacher, sha('a'), 60), 100); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Materials(ctx, course.ID); len(list) != 2 {
		t.Fatalf("course has %d materials, want 2", len(list))
	}
}

func testMaterialConcurrent(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	course := mkCourse(t, s, teacher, "Course")
	const n = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, dups int
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.InsertMaterial(ctx, mkMaterial(course, teacher, sha('d'), 10), 0)
			mu.Lock()
			defer mu.Unlock()
			var de *content.DuplicateError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &de), errors.Is(err, classroom.ErrConflict):
				dups++
			default:
				t.Errorf("insert: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || ok+dups != n {
		t.Fatalf("%d inserted, %d refused; want exactly 1 inserted", ok, dups)
	}
}
