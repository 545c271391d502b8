package store

import (
	"context"
	"errors"
	"testing"

	"github.com/lectern/lectern/classroom"
)

func TestRecordingSettingsConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) { testRecordingSettings(t, b.open(t)) })
	}
}

// testRecordingSettings: defaults until set, an upsert that replaces, an
// unknown course refused, rows gone with their course's constraint.
func testRecordingSettings(t *testing.T, s *Store) {
	ctx := context.Background()
	tch := mkAccount(t, s, "tch@example.org", classroom.RoleTeacher)
	c := mkCourse(t, s, tch, "Recorded")
	got, err := s.RecordingSettings(ctx, c.ID)
	if err != nil || got != classroom.DefaultRecordingSettings(c.ID) {
		t.Fatalf("defaults: %+v, %v", got, err)
	}
	want := classroom.RecordingSettings{CourseID: c.ID, Record: false, StudentDownload: true, UpdatedAt: t0}
	if err := s.SetRecordingSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err = s.RecordingSettings(ctx, c.ID); err != nil || !got.UpdatedAt.Equal(t0) || got.Record || !got.StudentDownload {
		t.Fatalf("after set: %+v, %v", got, err)
	}
	want = classroom.RecordingSettings{CourseID: c.ID, Record: true, UpdatedAt: t0.Add(1)}
	if err := s.SetRecordingSettings(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.RecordingSettings(ctx, c.ID); !got.Record || got.StudentDownload {
		t.Fatalf("after replace: %+v", got)
	}
	err = s.SetRecordingSettings(ctx, classroom.RecordingSettings{CourseID: "no-such-course", UpdatedAt: t0})
	if err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("unknown course: %v", err)
	}
}
