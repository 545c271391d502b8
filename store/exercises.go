package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// Store implements content.ExerciseStore.
var _ content.ExerciseStore = (*Store)(nil)

const exerciseCols = `id, course_id, lesson_id, title, instructions, due_at, max_attempts, questions,
	created_by, created_at, updated_at`

func scanExercise(sc interface{ Scan(...any) error }) (content.Exercise, error) {
	var (
		e                     content.Exercise
		due, max, created, up int64
		qs                    string
	)
	err := sc.Scan(&e.ID, &e.CourseID, &e.LessonID, &e.Title, &e.Instructions, &due, &max, &qs,
		&e.CreatedBy, &created, &up)
	if err != nil {
		return e, err
	}
	e.DueAt, e.MaxAttempts, e.CreatedAt, e.UpdatedAt = fromMS(due), int(max), fromMS(created), fromMS(up)
	if err := json.Unmarshal([]byte(qs), &e.Questions); err != nil {
		return e, fmt.Errorf("store: exercise %s: questions: %w", e.ID, err)
	}
	return e, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("store: " + err.Error()) // only plain data structs are marshalled
	}
	return string(b)
}

// InsertExercise implements content.ExerciseStore.
func (s *Store) InsertExercise(ctx context.Context, e content.Exercise) error {
	_, err := s.db.exec(ctx, `INSERT INTO exercises (`+exerciseCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.CourseID, e.LessonID, e.Title, e.Instructions, ms(e.DueAt), e.MaxAttempts, mustJSON(e.Questions),
		e.CreatedBy, ms(e.CreatedAt), ms(e.UpdatedAt))
	return s.contentErr(err)
}

// UpdateExercise implements content.ExerciseStore.
func (s *Store) UpdateExercise(ctx context.Context, e content.Exercise) error {
	n, err := s.db.exec(ctx, `UPDATE exercises SET lesson_id = ?, title = ?, instructions = ?, due_at = ?,
		max_attempts = ?, questions = ?, updated_at = ? WHERE id = ?`,
		e.LessonID, e.Title, e.Instructions, ms(e.DueAt), e.MaxAttempts, mustJSON(e.Questions), ms(e.UpdatedAt), e.ID)
	if err == nil && n == 0 {
		return content.ErrNotFound
	}
	return s.contentErr(err)
}

// DeleteExercise implements content.ExerciseStore.
func (s *Store) DeleteExercise(ctx context.Context, id string) error {
	n, err := s.db.exec(ctx, `DELETE FROM exercises WHERE id = ?`, id)
	if err == nil && n == 0 {
		return content.ErrNotFound
	}
	return s.contentErr(err)
}

// Exercise implements content.ExerciseStore.
func (s *Store) Exercise(ctx context.Context, id string) (content.Exercise, error) {
	e, err := scanExercise(rowScanner{ctx, s.db, `SELECT ` + exerciseCols + ` FROM exercises WHERE id = ?`, []any{id}})
	return e, s.contentErr(err)
}

// Exercises implements content.ExerciseStore.
func (s *Store) Exercises(ctx context.Context, courseID string) ([]content.Exercise, error) {
	var out []content.Exercise
	rs, err := s.db.query(ctx, `SELECT `+exerciseCols+` FROM exercises WHERE course_id = ? ORDER BY created_at, id`, courseID)
	err = scanAll(rs, err, func(r rows) error {
		e, err := scanExercise(r)
		out = append(out, e)
		return err
	})
	return out, s.contentErr(err)
}

const submissionCols = `id, exercise_id, account_id, attempt, answers, results, score, max_score, status,
	submitted_at, graded_at, graded_by`

func scanSubmission(sc interface{ Scan(...any) error }) (content.Submission, error) {
	var (
		sub                                   content.Submission
		attempt, score, max, submitted, grade int64
		answers, results                      string
	)
	err := sc.Scan(&sub.ID, &sub.ExerciseID, &sub.AccountID, &attempt, &answers, &results, &score, &max,
		&sub.Status, &submitted, &grade, &sub.GradedBy)
	if err != nil {
		return sub, err
	}
	sub.Attempt, sub.Score, sub.MaxScore = int(attempt), int(score), int(max)
	sub.SubmittedAt, sub.GradedAt = fromMS(submitted), fromMS(grade)
	if err := json.Unmarshal([]byte(answers), &sub.Answers); err != nil {
		return sub, fmt.Errorf("store: submission %s: %w", sub.ID, err)
	}
	if err := json.Unmarshal([]byte(results), &sub.Results); err != nil {
		return sub, fmt.Errorf("store: submission %s: %w", sub.ID, err)
	}
	return sub, nil
}

// InsertSubmission implements content.ExerciseStore. The attempt number
// is the count of the student's submissions plus one, under a unique
// index: of two concurrent attempts one loses the race with a unique
// violation (or a serialisation failure) and counts again.
func (s *Store) InsertSubmission(ctx context.Context, sub content.Submission, maxAttempts int) (content.Submission, error) {
	const tries = 20
	for range tries {
		err := s.db.tx(ctx, func(q querier) error {
			var n int64
			if err := q.queryRow(ctx, `SELECT COUNT(*) FROM exercise_submissions WHERE exercise_id = ? AND account_id = ?`,
				[]any{&n}, sub.ExerciseID, sub.AccountID); err != nil {
				return err
			}
			if maxAttempts > 0 && int(n) >= maxAttempts {
				return fmt.Errorf("%w: %d of %d used", content.ErrNoAttemptsLeft, n, maxAttempts)
			}
			sub.Attempt = int(n) + 1
			_, err := q.exec(ctx, `INSERT INTO exercise_submissions (`+submissionCols+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				sub.ID, sub.ExerciseID, sub.AccountID, sub.Attempt, mustJSON(sub.Answers), mustJSON(sub.Results),
				sub.Score, sub.MaxScore, sub.Status, ms(sub.SubmittedAt), ms(sub.GradedAt), sub.GradedBy)
			return err
		})
		if errors.Is(err, content.ErrNoAttemptsLeft) {
			return content.Submission{}, err
		}
		if err == nil {
			return sub, nil
		}
		if s.db.classify(err) == errUnique || errors.Is(s.billingErr(err), classroom.ErrConflict) {
			if err := ctx.Err(); err != nil {
				return content.Submission{}, err
			}
			continue
		}
		return content.Submission{}, s.contentErr(err)
	}
	return content.Submission{}, fmt.Errorf("store: submission: %w after %d tries", classroom.ErrConflict, tries)
}

// Submission implements content.ExerciseStore.
func (s *Store) Submission(ctx context.Context, id string) (content.Submission, error) {
	sub, err := scanSubmission(rowScanner{ctx, s.db, `SELECT ` + submissionCols + ` FROM exercise_submissions WHERE id = ?`, []any{id}})
	return sub, s.contentErr(err)
}

// Submissions implements content.ExerciseStore.
func (s *Store) Submissions(ctx context.Context, exerciseID, accountID string) ([]content.Submission, error) {
	q := `SELECT ` + submissionCols + ` FROM exercise_submissions WHERE exercise_id = ?`
	args := []any{exerciseID}
	if accountID != "" {
		q += ` AND account_id = ?`
		args = append(args, accountID)
	}
	return s.submissions(ctx, q+` ORDER BY submitted_at, attempt`, args...)
}

// CourseSubmissions implements content.ExerciseStore.
func (s *Store) CourseSubmissions(ctx context.Context, courseID string) ([]content.Submission, error) {
	return s.submissions(ctx, `SELECT `+prefixed("s.", submissionCols)+` FROM exercise_submissions s
		JOIN exercises e ON e.id = s.exercise_id WHERE e.course_id = ? ORDER BY s.submitted_at, s.attempt`, courseID)
}

func (s *Store) submissions(ctx context.Context, q string, args ...any) ([]content.Submission, error) {
	var out []content.Submission
	rs, err := s.db.query(ctx, q, args...)
	err = scanAll(rs, err, func(r rows) error {
		sub, err := scanSubmission(r)
		out = append(out, sub)
		return err
	})
	return out, s.contentErr(err)
}

// prefixed qualifies each of a comma-separated column list with p.
func prefixed(p, cols string) string {
	fields := strings.Split(cols, ",")
	for i, f := range fields {
		fields[i] = p + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}

// UpdateGrade implements content.ExerciseStore.
func (s *Store) UpdateGrade(ctx context.Context, sub content.Submission) error {
	n, err := s.db.exec(ctx, `UPDATE exercise_submissions SET results = ?, score = ?, status = ?, graded_at = ?,
		graded_by = ? WHERE id = ?`, mustJSON(sub.Results), sub.Score, sub.Status, ms(sub.GradedAt), sub.GradedBy, sub.ID)
	if err == nil && n == 0 {
		return content.ErrNotFound
	}
	return s.contentErr(err)
}

// CourseStudents implements content.ExerciseStore: the enrolled accounts,
// by name.
func (s *Store) CourseStudents(ctx context.Context, courseID string) ([]content.Student, error) {
	var out []content.Student
	rs, err := s.db.query(ctx, `SELECT a.id, a.display_name, a.email FROM enrolments e
		JOIN accounts a ON a.id = e.account_id WHERE e.course_id = ? ORDER BY a.display_name, a.id`, courseID)
	err = scanAll(rs, err, func(r rows) error {
		var st content.Student
		err := r.Scan(&st.AccountID, &st.Name, &st.Email)
		out = append(out, st)
		return err
	})
	return out, s.contentErr(err)
}
