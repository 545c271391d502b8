package store

import (
	"context"
	"errors"

	"github.com/lectern/lectern/classroom"
)

// RecordingSettings returns a course's recording settings, the defaults
// when its teacher has not chosen.
func (s *Store) RecordingSettings(ctx context.Context, courseID string) (classroom.RecordingSettings, error) {
	var record, download, at int64
	err := s.db.queryRow(ctx, "SELECT record, student_download, updated_at FROM course_recording_settings WHERE course_id = ?",
		[]any{&record, &download, &at}, courseID)
	if errors.Is(err, errNoRows) {
		return classroom.DefaultRecordingSettings(courseID), nil
	}
	if err != nil {
		return classroom.RecordingSettings{}, s.mapErr(err, nil)
	}
	return classroom.RecordingSettings{CourseID: courseID, Record: record == 1, StudentDownload: download == 1, UpdatedAt: fromMS(at)}, nil
}

// SetRecordingSettings stores a course's recording settings.
func (s *Store) SetRecordingSettings(ctx context.Context, rs classroom.RecordingSettings) error {
	_, err := s.db.exec(ctx, `INSERT INTO course_recording_settings (course_id, record, student_download, updated_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (course_id) DO UPDATE SET record = excluded.record, student_download = excluded.student_download,
			updated_at = excluded.updated_at`,
		rs.CourseID, b2i(rs.Record), b2i(rs.StudentDownload), ms(rs.UpdatedAt))
	return s.mapErr(err, nil)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
