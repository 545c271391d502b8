package store

import (
	"context"
	"time"

	"github.com/lectern/lectern/classroom"
)

const lessonCols = `l.id, l.course_id, l.title, l.starts_at, l.duration_seconds, l.status,
	l.created_at, l.updated_at, l.cancelled_at, l.cancel_reason`

type lessonRow struct {
	l                                        classroom.Lesson
	starts, dur, created, updated, cancelled int64
	status                                   string
}

func (r *lessonRow) dest() []any {
	return []any{&r.l.ID, &r.l.CourseID, &r.l.Title, &r.starts, &r.dur, &r.status,
		&r.created, &r.updated, &r.cancelled, &r.l.CancelReason}
}

func (r *lessonRow) lesson() classroom.Lesson {
	r.l.StartsAt = fromMS(r.starts)
	r.l.Duration = time.Duration(r.dur) * time.Second
	r.l.Status = classroom.Status(r.status)
	r.l.CreatedAt, r.l.UpdatedAt = fromMS(r.created), fromMS(r.updated)
	r.l.CancelledAt = fromMS(r.cancelled)
	return r.l
}

// CreateLesson implements classroom.Lessons.
func (s *Store) CreateLesson(ctx context.Context, l classroom.Lesson) error {
	_, err := s.db.exec(ctx, `INSERT INTO lessons (id, course_id, title, starts_at, duration_seconds,
		status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.CourseID, l.Title, ms(l.StartsAt), int64(l.Duration/time.Second), string(l.Status),
		ms(l.CreatedAt), ms(l.UpdatedAt))
	return s.mapErr(err, nil)
}

// Lesson implements classroom.Lessons.
func (s *Store) Lesson(ctx context.Context, id string) (classroom.Lesson, error) {
	var r lessonRow
	if err := s.db.queryRow(ctx, "SELECT "+lessonCols+" FROM lessons l WHERE l.id = ?", r.dest(), id); err != nil {
		return classroom.Lesson{}, s.mapErr(err, nil)
	}
	return r.lesson(), nil
}

const updateLessonSQL = `UPDATE lessons SET title = ?, starts_at = ?, duration_seconds = ?,
	status = ?, updated_at = ?, cancelled_at = ?, cancel_reason = ? WHERE id = ? AND status = ?`

func updateLessonArgs(l classroom.Lesson, prev classroom.Status) []any {
	return []any{l.Title, ms(l.StartsAt), int64(l.Duration / time.Second), string(l.Status), ms(l.UpdatedAt),
		ms(l.CancelledAt), l.CancelReason, l.ID, string(prev)}
}

// UpdateLesson implements classroom.Lessons. news (classroom.LessonNews:
// a cancellation, a mailing, an audit entry), when not nil, is written in
// the same transaction.
func (s *Store) UpdateLesson(ctx context.Context, l classroom.Lesson, prev classroom.Status, news *classroom.LessonNews) error {
	if news != nil {
		return s.updateLessonWithNews(ctx, l, prev, *news)
	}
	n, err := s.db.exec(ctx, updateLessonSQL, updateLessonArgs(l, prev)...)
	if err != nil {
		return s.mapErr(err, nil)
	}
	if n == 0 {
		if _, err := s.Lesson(ctx, l.ID); err != nil {
			return err
		}
		return classroom.ErrConflict
	}
	return nil
}

// updateLessonWithNews writes l, a cancellation (only of a scheduled
// lesson not cancelled before, moving to ended), the news' mailing and
// its audit entry in one transaction.
func (s *Store) updateLessonWithNews(ctx context.Context, l classroom.Lesson, prev classroom.Status, news classroom.LessonNews) error {
	sql := updateLessonSQL
	if news.Cancel {
		if prev != classroom.StatusScheduled || l.Status != classroom.StatusEnded {
			return &classroom.FieldError{Field: "status", Reason: "only a scheduled lesson can be cancelled", Err: classroom.ErrStatus}
		}
		l.CancelledAt, l.CancelReason = l.UpdatedAt, news.Reason
		sql += " AND cancelled_at = 0"
	}
	return s.mapErr(s.db.tx(ctx, func(q querier) error {
		n, err := q.exec(ctx, sql, updateLessonArgs(l, prev)...)
		if err != nil {
			return err
		}
		if n == 0 {
			return missingOrConflict(ctx, q, "lessons", l.ID)
		}
		if m := news.Mailing; m.Kind != "" {
			if _, err := queueIfClaimed(ctx, q, m.At, news.Mails, news.Notices, claimMailing, l.ID, m.Kind, ms(m.Key), ms(m.At)); err != nil {
				return err
			}
		}
		return appendAudit(ctx, q, news.Audit)
	}), nil)
}

// ListLessons implements classroom.Lessons.
func (s *Store) ListLessons(ctx context.Context, courseID string) ([]classroom.Lesson, error) {
	rs, err := s.db.query(ctx, "SELECT "+lessonCols+
		" FROM lessons l WHERE l.course_id = ? ORDER BY l.starts_at, l.id LIMIT 1000", courseID)
	out, err := scanLessons(rs, err)
	return out, s.mapErr(err, nil)
}

// UpcomingLessons implements classroom.Lessons.
func (s *Store) UpcomingLessons(ctx context.Context, accountID string, now time.Time, limit int) ([]classroom.UpcomingLesson, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	id := accountID
	var out []classroom.UpcomingLesson
	rs, err := s.db.query(ctx, "SELECT "+lessonCols+", c.title, "+relationCase+
		` FROM lessons l JOIN courses c ON c.id = l.course_id
		WHERE `+relatedWhere+` AND (l.status = 'live'
			OR (l.status = 'scheduled' AND l.starts_at + l.duration_seconds * 1000 > ?))
		ORDER BY l.starts_at, l.id LIMIT ?`,
		id, id, id, id, id, id, ms(now), limit)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			r          lessonRow
			title, rel string
		)
		if err := rs.Scan(append(r.dest(), &title, &rel)...); err != nil {
			return err
		}
		out = append(out, classroom.UpcomingLesson{Lesson: r.lesson(), CourseTitle: title,
			Relation: classroom.Relation(rel)})
		return nil
	})
	return out, s.mapErr(err, nil)
}

// OverdueLessons implements classroom.Lessons.
func (s *Store) OverdueLessons(ctx context.Context, before time.Time, limit int) ([]classroom.Lesson, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	rs, err := s.db.query(ctx, "SELECT "+lessonCols+` FROM lessons l
		WHERE l.status = 'live' AND l.starts_at + l.duration_seconds * 1000 < ?
		ORDER BY l.starts_at, l.id LIMIT ?`, ms(before), limit)
	out, err := scanLessons(rs, err)
	return out, s.mapErr(err, nil)
}

// scanLessons reads rows of lessonCols.
func scanLessons(rs rows, err error) ([]classroom.Lesson, error) {
	var out []classroom.Lesson
	err = scanAll(rs, err, func(rs rows) error {
		var r lessonRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		out = append(out, r.lesson())
		return nil
	})
	return out, err
}
