package store

import (
	"context"
	"fmt"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/token"
)

// PutAttendance implements live.Store. The interval's key includes Joined
// to the millisecond, which is how it is stored.
func (l liveStore) PutAttendance(ctx context.Context, a live.Attendance) error {
	_, err := l.s.db.exec(ctx, `INSERT INTO live_attendance (lesson_id, participant_id, joined_at,
		seq, user_id, name, role, left_at)
		VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM live_attendance WHERE lesson_id = ?),
		?, ?, ?, ?)
		ON CONFLICT (lesson_id, participant_id, joined_at) DO UPDATE SET
		user_id = excluded.user_id, name = excluded.name, role = excluded.role,
		left_at = excluded.left_at`,
		a.LessonID, a.ParticipantID, ms(a.Joined), a.LessonID, a.UserID, a.Name, string(a.Role),
		ms(a.Left))
	if err != nil {
		return fmt.Errorf("store: put attendance: %w", err)
	}
	return nil
}

// ListAttendance implements live.Store: by Joined, then in the order
// recorded.
func (l liveStore) ListAttendance(ctx context.Context, lessonID string) ([]live.Attendance, error) {
	var out []live.Attendance
	rs, err := l.s.db.query(ctx, `SELECT lesson_id, participant_id, user_id, name, role, joined_at,
		left_at FROM live_attendance WHERE lesson_id = ? ORDER BY joined_at, seq`, lessonID)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			a            live.Attendance
			role         string
			joined, left int64
		)
		if err := rs.Scan(&a.LessonID, &a.ParticipantID, &a.UserID, &a.Name, &role, &joined, &left); err != nil {
			return err
		}
		a.Role, a.Joined, a.Left = token.Role(role), fromMS(joined), fromMS(left)
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list attendance: %w", err)
	}
	return out, nil
}
