package store

import (
	"context"

	"github.com/lectern/lectern/classroom"
)

// LiveLessons implements classroom.LiveLessonsView: the participants are
// the attendance intervals still open.
func (s *Store) LiveLessons(ctx context.Context, limit int) ([]classroom.LiveLesson, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	var out []classroom.LiveLesson
	rs, err := s.db.query(ctx, "SELECT "+lessonCols+`, c.title, t.display_name,
		(SELECT COUNT(*) FROM live_attendance a WHERE a.lesson_id = l.id AND a.left_at = 0)
		FROM lessons l JOIN courses c ON c.id = l.course_id JOIN accounts t ON t.id = c.teacher_id
		WHERE l.status = 'live' ORDER BY l.updated_at, l.id LIMIT ?`, limit)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			r  lessonRow
			ll classroom.LiveLesson
			n  int64
		)
		if err := rs.Scan(append(r.dest(), &ll.CourseTitle, &ll.TeacherName, &n)...); err != nil {
			return err
		}
		ll.Lesson, ll.Participants = r.lesson(), int(n)
		out = append(out, ll)
		return nil
	})
	return out, s.mapErr(err, nil)
}
