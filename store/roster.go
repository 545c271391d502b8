package store

import (
	"context"

	"github.com/lectern/lectern/classroom"
)

// Roster implements classroom.Rosters: a lesson counts as attended when
// the student was in it at least once (live_attendance by account).
func (s *Store) Roster(ctx context.Context, courseID string) ([]classroom.RosterEntry, int, error) {
	var held int64
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM lessons WHERE course_id = ? AND status = 'ended' AND cancelled_at = 0`,
		[]any{&held}, courseID); err != nil {
		return nil, 0, s.mapErr(err, nil)
	}
	var out []classroom.RosterEntry
	rs, err := s.db.query(ctx, `SELECT a.id, a.email, a.display_name, e.created_at,
		(SELECT COUNT(DISTINCT la.lesson_id) FROM live_attendance la JOIN lessons l ON l.id = la.lesson_id
			WHERE l.course_id = e.course_id AND la.user_id = a.id)
		FROM enrolments e JOIN accounts a ON a.id = e.account_id
		WHERE e.course_id = ? ORDER BY e.created_at, a.id LIMIT 10000`, courseID)
	err = scanAll(rs, err, func(rs rows) error {
		var (
			r        classroom.RosterEntry
			enrolled int64
			n        int64
		)
		if err := rs.Scan(&r.AccountID, &r.Email, &r.DisplayName, &enrolled, &n); err != nil {
			return err
		}
		r.EnrolledAt, r.LessonsAttended = fromMS(enrolled), int(n)
		out = append(out, r)
		return nil
	})
	if err == nil {
		err = s.rosterExercises(ctx, courseID, out)
	}
	return out, int(held), s.mapErr(err, nil)
}

// rosterExercises fills in each entry's exercise summary: the exercises of
// courseID it submitted, and its best attempt's points at each.
func (s *Store) rosterExercises(ctx context.Context, courseID string, out []classroom.RosterEntry) error {
	byID := make(map[string]*classroom.RosterEntry, len(out))
	for i := range out {
		byID[out[i].AccountID] = &out[i]
	}
	rs, err := s.db.query(ctx, `SELECT t.account_id, COUNT(*), CAST(SUM(t.best) AS BIGINT), CAST(SUM(t.most) AS BIGINT)
		FROM (SELECT su.account_id, su.exercise_id, MAX(su.score) AS best, MAX(su.max_score) AS most
			FROM exercise_submissions su JOIN exercises x ON x.id = su.exercise_id
			WHERE x.course_id = ? GROUP BY su.account_id, su.exercise_id) t
		GROUP BY t.account_id`, courseID)
	return scanAll(rs, err, func(rs rows) error {
		var (
			id                  string
			n, points, possible int64
		)
		if err := rs.Scan(&id, &n, &points, &possible); err != nil {
			return err
		}
		if e := byID[id]; e != nil {
			e.ExercisesSubmitted, e.Points, e.PointsPossible = int(n), int(points), int(possible)
		}
		return nil
	})
}

// CourseExercises implements classroom.Rosters.
func (s *Store) CourseExercises(ctx context.Context, courseID string) (int, error) {
	var n int64
	err := s.db.queryRow(ctx, "SELECT COUNT(*) FROM exercises WHERE course_id = ?", []any{&n}, courseID)
	return int(n), s.mapErr(err, nil)
}
