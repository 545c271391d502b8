package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
)

// insertMails queues mails in the outbox (package notify sends them)
// inside the caller's transaction.
func insertMails(ctx context.Context, q querier, at time.Time, mails []classroom.Mail) error {
	for _, m := range mails {
		if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(m.Subject, "\r\n") {
			return &classroom.FieldError{Field: "mail", Reason: "line break in a mail header", Err: classroom.ErrInvalid}
		}
		if err := insertMail(ctx, q, uuid.NewString(), m.To, m.Subject, m.Body, at, at); err != nil {
			return err
		}
	}
	return nil
}

// queueIfClaimed runs claim, an INSERT … ON CONFLICT DO NOTHING, and if
// it inserted its row queues mails and notices, inside the caller's
// transaction; false, with nothing queued, if the row was there.
func queueIfClaimed(ctx context.Context, q querier, at time.Time, mails []classroom.Mail, notices []classroom.Notice,
	claim string, args ...any) (bool, error) {
	n, err := q.exec(ctx, claim, args...)
	if err != nil || n == 0 {
		return false, err
	}
	if err := insertMails(ctx, q, at, mails); err != nil {
		return false, err
	}
	return true, insertNotices(ctx, q, notices)
}

// claimQueued runs queueIfClaimed in a transaction of its own.
func (s *Store) claimQueued(ctx context.Context, at time.Time, mails []classroom.Mail, notices []classroom.Notice,
	claim string, args ...any) (bool, error) {
	var claimed bool
	err := s.db.tx(ctx, func(q querier) error {
		var err error
		claimed, err = queueIfClaimed(ctx, q, at, mails, notices, claim, args...)
		return err
	})
	if err != nil {
		return false, s.mapErr(err, nil)
	}
	return claimed, nil
}

const claimMailing = `INSERT INTO lesson_mailings (lesson_id, kind, key_at, created_at) VALUES (?, ?, ?, ?)
	ON CONFLICT (lesson_id, kind, key_at) DO NOTHING`

// QueueMailing implements classroom.LessonMailings.
func (s *Store) QueueMailing(ctx context.Context, m classroom.Mailing, mails []classroom.Mail, notices []classroom.Notice) (bool, error) {
	return s.claimQueued(ctx, m.At, mails, notices, claimMailing, m.LessonID, m.Kind, ms(m.Key), ms(m.At))
}

// LessonsToRemind implements classroom.LessonMailings.
func (s *Store) LessonsToRemind(ctx context.Context, kind string, from, to time.Time, limit int) ([]classroom.Lesson, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	rs, err := s.db.query(ctx, "SELECT "+lessonCols+` FROM lessons l
		WHERE l.status = 'scheduled' AND l.starts_at > ? AND l.starts_at <= ?
		AND NOT EXISTS (SELECT 1 FROM lesson_mailings m WHERE m.lesson_id = l.id AND m.kind = ? AND m.key_at = l.starts_at)
		ORDER BY l.starts_at, l.id LIMIT ?`, ms(from), ms(to), kind, limit)
	out, err := scanLessons(rs, err)
	return out, s.mapErr(err, nil)
}

// EnrolledAccounts implements classroom.LessonMailings.
func (s *Store) EnrolledAccounts(ctx context.Context, courseID string) ([]classroom.Account, error) {
	rs, err := s.db.query(ctx, "SELECT "+accountCols+` FROM enrolments e JOIN accounts a ON a.id = e.account_id
		WHERE e.course_id = ? AND a.disabled_at = 0 ORDER BY e.created_at, a.id LIMIT 10000`, courseID)
	out, err := scanAccounts(rs, err)
	return out, s.mapErr(err, nil)
}

// CourseSchedules implements classroom.LessonMailings: one query over
// the listed courses, the first live and the first scheduled lesson of
// each picked by a window function (SQLite and PostgreSQL both have
// ROW_NUMBER).
func (s *Store) CourseSchedules(ctx context.Context, courseIDs []string, now time.Time) (map[string]classroom.CourseSchedule, error) {
	out := make(map[string]classroom.CourseSchedule, len(courseIDs))
	if len(courseIDs) == 0 {
		return out, nil
	}
	if len(courseIDs) > 500 {
		return nil, &classroom.FieldError{Field: "courses", Reason: "at most 500 at once", Err: classroom.ErrInvalid}
	}
	args := make([]any, 0, len(courseIDs)+1)
	for _, id := range courseIDs {
		args = append(args, id)
	}
	args = append(args, ms(now))
	rs, err := s.db.query(ctx, "SELECT "+strings.ReplaceAll(lessonCols, "l.", "x.")+` FROM (
		SELECT l.*, ROW_NUMBER() OVER (PARTITION BY l.course_id, l.status ORDER BY l.starts_at, l.id) AS rn
		FROM lessons l WHERE l.course_id IN (?`+strings.Repeat(", ?", len(courseIDs)-1)+`)
		AND (l.status = 'live' OR (l.status = 'scheduled' AND l.starts_at + l.duration_seconds * 1000 > ?))
	) x WHERE x.rn = 1`, args...)
	err = scanAll(rs, err, func(rs rows) error {
		var r lessonRow
		if err := rs.Scan(r.dest()...); err != nil {
			return err
		}
		l := r.lesson()
		cs := out[l.CourseID]
		if l.Status == classroom.StatusLive {
			cs.Live = &l
		} else {
			cs.Next = &l
		}
		out[l.CourseID] = cs
		return nil
	})
	return out, s.mapErr(err, nil)
}
