package recorder

import (
	"context"
	"errors"
	"time"

	"github.com/lectern/lectern/classroom"
)

// Info describes one recording. Its files are under the recordings
// directory; this description is kept in the Catalog.
type Info = classroom.Recording

// Catalog keeps the recordings' descriptions (package store implements
// it, on SQLite and PostgreSQL). Lookups of an unknown recording return
// classroom.ErrNotFound.
type Catalog interface {
	// PutRecording stores a description, replacing the previous one.
	PutRecording(ctx context.Context, r classroom.Recording) error
	// ImportRecording stores a description unless one is stored already.
	ImportRecording(ctx context.Context, r classroom.Recording) (bool, error)
	Recording(ctx context.Context, lessonID, id string) (classroom.Recording, error)
	// LessonRecordings lists a lesson's recordings, oldest first.
	LessonRecordings(ctx context.Context, lessonID string) ([]classroom.Recording, error)
	RecordingsInState(ctx context.Context, state string) ([]classroom.Recording, error)
	RecordingsEndedBefore(ctx context.Context, t time.Time) ([]classroom.Recording, error)
	DeleteRecording(ctx context.Context, lessonID, id string) error
}

// catalogTimeout bounds every catalog call the recorder makes.
const catalogTimeout = 5 * time.Second

func catalogCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), catalogTimeout)
}

// notFound maps the catalog's "no such recording" to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, classroom.ErrNotFound) {
		return ErrNotFound
	}
	return err
}
