package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom"
)

func TestRecordingCatalogConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) { testRecordingCatalog(t, b.open(t)) })
	}
}

// testRecordingCatalog: a recording is stored, updated in place as it is
// written, listed per lesson oldest first, found by state and by end,
// imported only once, unpublished and deleted; an unknown one is
// ErrNotFound.
func testRecordingCatalog(t *testing.T, s *Store) {
	ctx := context.Background()
	a := classroom.Recording{ID: "20261129T080000.000Z", Lesson: "lesson-a", State: "recording", StartedAt: t0}
	if err := s.PutRecording(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := classroom.Recording{ID: "20261129T070000.000Z", Lesson: "lesson-a", State: "complete", StartedAt: t0.Add(-time.Hour),
		EndedAt: t0.Add(-time.Minute), DurationMS: 3_540_000, Size: 1 << 30}
	other := classroom.Recording{ID: b.ID, Lesson: "lesson-b", State: "stopped", StartedAt: t0, EndedAt: t0.Add(time.Minute),
		Reason: "disk full", Truncated: true, Hidden: true, DurationMS: 1500, Size: 9}
	for _, r := range []classroom.Recording{b, other} {
		if err := s.PutRecording(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.LessonRecordings(ctx, "lesson-a")
	if err != nil || !reflect.DeepEqual(list, []classroom.Recording{b, a}) {
		t.Fatalf("lesson-a: %+v %v, want b then a", list, err)
	}
	if got, err := s.Recording(ctx, "lesson-b", b.ID); err != nil || !reflect.DeepEqual(got, other) {
		t.Fatalf("lesson-b's: %+v %v, want %+v", got, err, other)
	}
	if _, err := s.Recording(ctx, "lesson-c", b.ID); !errors.Is(err, classroom.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	if list, _ := s.LessonRecordings(ctx, "lesson-c"); list == nil || len(list) != 0 {
		t.Fatalf("no recordings: %#v, want an empty list", list)
	}

	// Written as it goes: the same row, updated.
	a.DurationMS, a.Size = 2000, 4096
	if err := s.PutRecording(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.RecordingsInState(ctx, "recording"); !reflect.DeepEqual(got, []classroom.Recording{a}) {
		t.Fatalf("recording now: %+v", got)
	}
	a.State, a.EndedAt = "complete", t0.Add(time.Hour)
	if err := s.PutRecording(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.RecordingsInState(ctx, "recording"); len(got) != 0 {
		t.Fatalf("recording after the end: %+v", got)
	}
	got, err := s.RecordingsEndedBefore(ctx, t0.Add(2*time.Minute))
	if err != nil || !reflect.DeepEqual(got, []classroom.Recording{b, other}) {
		t.Fatalf("ended before t0+2m: %+v %v", got, err)
	}

	// An import stores only what is not there.
	stale := b
	stale.Hidden = true
	if ok, err := s.ImportRecording(ctx, stale); err != nil || ok {
		t.Fatalf("import over a stored recording: %v %v, want false", ok, err)
	}
	if got, _ := s.Recording(ctx, b.Lesson, b.ID); got.Hidden {
		t.Fatal("an import replaced a stored recording")
	}
	c := classroom.Recording{ID: "old", Lesson: "lesson-c", State: "complete", StartedAt: t0, EndedAt: t0.Add(time.Second)}
	if ok, err := s.ImportRecording(ctx, c); err != nil || !ok {
		t.Fatalf("import of a new recording: %v %v", ok, err)
	}

	b.Hidden = true
	if err := s.PutRecording(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Recording(ctx, b.Lesson, b.ID); !got.Hidden {
		t.Fatal("unpublishing was not stored")
	}
	if err := s.DeleteRecording(ctx, b.Lesson, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRecording(ctx, b.Lesson, b.ID); !errors.Is(err, classroom.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if list, _ := s.LessonRecordings(ctx, "lesson-a"); !reflect.DeepEqual(list, []classroom.Recording{a}) {
		t.Fatalf("after the delete: %+v", list)
	}
}
