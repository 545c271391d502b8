package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

// The recordings catalog (package recorder's Catalog): one row per
// recording, written as the recording goes.

const recordingColumns = "lesson_id, id, state, started_at, ended_at, duration_ms, size_bytes, reason, published, truncated"

// PutRecording stores a recording's description, replacing the previous one.
func (s *Store) PutRecording(ctx context.Context, r classroom.Recording) error {
	_, err := s.db.exec(ctx, `INSERT INTO recordings (`+recordingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (lesson_id, id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at,
			ended_at = excluded.ended_at, duration_ms = excluded.duration_ms, size_bytes = excluded.size_bytes,
			reason = excluded.reason, published = excluded.published, truncated = excluded.truncated`,
		recordingArgs(r)...)
	return s.mapErr(err, nil)
}

// ImportRecording stores a recording's description unless one is stored
// already; it reports whether it stored it.
func (s *Store) ImportRecording(ctx context.Context, r classroom.Recording) (bool, error) {
	n, err := s.db.exec(ctx, `INSERT INTO recordings (`+recordingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (lesson_id, id) DO NOTHING`, recordingArgs(r)...)
	if err != nil {
		return false, s.mapErr(err, nil)
	}
	return n == 1, nil
}

func recordingArgs(r classroom.Recording) []any {
	return []any{r.Lesson, r.ID, r.State, ms(r.StartedAt), ms(r.EndedAt), r.DurationMS, r.Size, r.Reason,
		b2i(!r.Hidden), b2i(r.Truncated)}
}

// Recording returns one recording; classroom.ErrNotFound when none.
func (s *Store) Recording(ctx context.Context, lessonID, id string) (classroom.Recording, error) {
	list, err := s.recordings(ctx, "WHERE lesson_id = ? AND id = ?", lessonID, id)
	if err != nil {
		return classroom.Recording{}, err
	}
	if len(list) == 0 {
		return classroom.Recording{}, classroom.ErrNotFound
	}
	return list[0], nil
}

// LessonRecordings lists a lesson's recordings, oldest first.
func (s *Store) LessonRecordings(ctx context.Context, lessonID string) ([]classroom.Recording, error) {
	return s.recordings(ctx, "WHERE lesson_id = ? ORDER BY started_at, id", lessonID)
}

// RecordingsInState lists every recording in a state (the recorder's
// unfinished ones at start), oldest first.
func (s *Store) RecordingsInState(ctx context.Context, state string) ([]classroom.Recording, error) {
	return s.recordings(ctx, "WHERE state = ? ORDER BY started_at, id", state)
}

// RecordingsEndedBefore lists the recordings that ended before t (the
// retention period), oldest first.
func (s *Store) RecordingsEndedBefore(ctx context.Context, t time.Time) ([]classroom.Recording, error) {
	return s.recordings(ctx, "WHERE ended_at > 0 AND ended_at < ? ORDER BY ended_at, id", ms(t))
}

// DeleteRecording forgets a recording; classroom.ErrNotFound when none.
func (s *Store) DeleteRecording(ctx context.Context, lessonID, id string) error {
	n, err := s.db.exec(ctx, "DELETE FROM recordings WHERE lesson_id = ? AND id = ?", lessonID, id)
	if err != nil {
		return s.mapErr(err, nil)
	}
	if n == 0 {
		return classroom.ErrNotFound
	}
	return nil
}

func (s *Store) recordings(ctx context.Context, where string, args ...any) ([]classroom.Recording, error) {
	out := []classroom.Recording{}
	rs, err := s.db.query(ctx, "SELECT "+recordingColumns+" FROM recordings "+where, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			r                  classroom.Recording
			started, ended     int64
			published, trunced int64
		)
		if err := rs.Scan(&r.Lesson, &r.ID, &r.State, &started, &ended, &r.DurationMS, &r.Size, &r.Reason,
			&published, &trunced); err != nil {
			return err
		}
		r.StartedAt, r.EndedAt, r.Hidden, r.Truncated = fromMS(started), fromMS(ended), published == 0, trunced == 1
		out = append(out, r)
		return nil
	})
	return out, s.mapErr(err, nil)
}
