package content

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Answer is a student's answer to one question: Choices for single and
// multiple choice, True for true/false, Text for a blank or short answer.
type Answer struct {
	Choices []int  `json:"choices,omitempty"`
	True    *bool  `json:"true,omitempty"`
	Text    string `json:"text,omitempty"`
}

// Result is one question's outcome. Correct is nil while a short answer
// waits for the teacher.
type Result struct {
	QuestionID string `json:"question_id"`
	Correct    *bool  `json:"correct,omitempty"`
	Points     int    `json:"points"`
	Comment    string `json:"comment,omitempty"` // the teacher's
	Pending    bool   `json:"pending,omitempty"` // a short answer not graded yet
}

// Submission statuses.
const (
	SubmissionGraded  = "graded"
	SubmissionPending = "pending" // short answers wait for the teacher
)

// Submission is one attempt of one student at an exercise.
type Submission struct {
	ID          string            `json:"id"`
	ExerciseID  string            `json:"exercise_id"`
	AccountID   string            `json:"account_id"`
	Attempt     int               `json:"attempt"`
	Answers     map[string]Answer `json:"answers"`
	Results     []Result          `json:"results"`
	Score       int               `json:"score"`
	MaxScore    int               `json:"max_score"`
	Status      string            `json:"status"`
	SubmittedAt time.Time         `json:"submitted_at"`
	GradedAt    time.Time         `json:"graded_at,omitzero"`
	GradedBy    string            `json:"graded_by,omitempty"`
}

// Grade scores answers to e: objective questions at once, short answers
// left pending. Answers to unknown questions or of the wrong shape are an
// *ExerciseError; unanswered questions score 0.
func Grade(e Exercise, answers map[string]Answer) ([]Result, int, string, error) {
	byID := map[string]Question{}
	for _, q := range e.Questions {
		byID[q.ID] = q
	}
	for id, a := range answers {
		q, ok := byID[id]
		if !ok {
			return nil, 0, "", exErr("answers."+id, "no such question")
		}
		if err := checkAnswer(q, a); err != nil {
			return nil, 0, "", err
		}
	}
	var (
		results = make([]Result, 0, len(e.Questions))
		score   int
		status  = SubmissionGraded
	)
	for _, q := range e.Questions {
		a, answered := answers[q.ID]
		r := Result{QuestionID: q.ID}
		if q.Type == ShortAnswer {
			if answered && strings.TrimSpace(a.Text) != "" {
				r.Pending = true
				status = SubmissionPending
			} else {
				r.Correct = new(false)
			}
			results = append(results, r)
			continue
		}
		ok := answered && correct(q, a)
		r.Correct = &ok
		if ok {
			r.Points = q.Points
			score += q.Points
		}
		results = append(results, r)
	}
	return results, score, status, nil
}

func checkAnswer(q Question, a Answer) error {
	f := "answers." + q.ID
	if len(a.Text) > MaxTextLen {
		return exErr(f, "an answer has at most %d bytes", MaxTextLen)
	}
	switch q.Type {
	case SingleChoice, MultipleChoice:
		if q.Type == SingleChoice && len(a.Choices) > 1 {
			return exErr(f, "choose one answer")
		}
		seen := map[int]bool{}
		for _, c := range a.Choices {
			if c < 0 || c >= len(q.Choices) || seen[c] {
				return exErr(f, "choices must be distinct indexes of the question's choices")
			}
			seen[c] = true
		}
	case TrueFalse:
		if a.True == nil {
			return exErr(f, "answer true or false")
		}
	}
	return nil
}

// correct reports whether a is right for an objective question.
func correct(q Question, a Answer) bool {
	switch q.Type {
	case SingleChoice, MultipleChoice:
		got, want := slices.Sorted(slices.Values(a.Choices)), slices.Sorted(slices.Values(q.Correct))
		return slices.Equal(got, want)
	case TrueFalse:
		return a.True != nil && q.True != nil && *a.True == *q.True
	case FillBlank:
		got := normalise(a.Text)
		for _, acc := range q.Accepted {
			if normalise(acc) == got && got != "" {
				return true
			}
		}
	}
	return false
}

// normalise folds case and collapses white space.
func normalise(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// ExerciseStore keeps exercises and submissions. Package store implements
// it on both backends. ErrNotFound for unknown ids.
type ExerciseStore interface {
	InsertExercise(ctx context.Context, e Exercise) error
	UpdateExercise(ctx context.Context, e Exercise) error
	DeleteExercise(ctx context.Context, id string) error
	Exercise(ctx context.Context, id string) (Exercise, error)
	Exercises(ctx context.Context, courseID string) ([]Exercise, error)
	// InsertSubmission stores s as the student's next attempt (numbered
	// from 1) in one transaction, refusing with ErrNoAttemptsLeft when
	// maxAttempts (> 0) are used. Concurrent calls never pass the limit.
	InsertSubmission(ctx context.Context, s Submission, maxAttempts int) (Submission, error)
	Submission(ctx context.Context, id string) (Submission, error)
	// Submissions lists an exercise's submissions (of one account if
	// accountID is not ""), oldest first.
	Submissions(ctx context.Context, exerciseID, accountID string) ([]Submission, error)
	// CourseSubmissions lists every submission to a course's exercises.
	CourseSubmissions(ctx context.Context, courseID string) ([]Submission, error)
	// CourseStudents lists the students enrolled in a course (the
	// gradebook's rows, with or without submissions).
	CourseStudents(ctx context.Context, courseID string) ([]Student, error)
	// UpdateGrade writes Results, Score, Status, GradedAt and GradedBy.
	UpdateGrade(ctx context.Context, s Submission) error
}

// Submit grades answers to e by accountID at now and stores them as the
// next attempt: ErrPastDue after the due date, ErrNoAttemptsLeft past the
// limit.
func Submit(ctx context.Context, st ExerciseStore, e Exercise, accountID string, answers map[string]Answer, now time.Time) (Submission, error) {
	if !e.DueAt.IsZero() && now.After(e.DueAt) {
		return Submission{}, fmt.Errorf("%w (due %s)", ErrPastDue, e.DueAt.UTC().Format(time.RFC3339))
	}
	results, score, status, err := Grade(e, answers)
	if err != nil {
		return Submission{}, err
	}
	s := Submission{ID: uuid.NewString(), ExerciseID: e.ID, AccountID: accountID, Answers: answers,
		Results: results, Score: score, MaxScore: e.MaxScore(), Status: status,
		SubmittedAt: now.UTC().Truncate(time.Millisecond)}
	if status == SubmissionGraded {
		s.GradedAt = s.SubmittedAt
	}
	return st.InsertSubmission(ctx, s, e.MaxAttempts)
}

// TeacherGrade is the teacher's grade of one short answer.
type TeacherGrade struct {
	Points  int    `json:"points"`
	Comment string `json:"comment"`
}

// GradeShortAnswers applies the teacher's grades to s's short answers
// (by question id) and recomputes its score; the submission is graded
// once no short answer is pending.
func GradeShortAnswers(e Exercise, s Submission, grades map[string]TeacherGrade, by string, now time.Time) (Submission, error) {
	byID := map[string]Question{}
	for _, q := range e.Questions {
		byID[q.ID] = q
	}
	for id, g := range grades {
		q, ok := byID[id]
		switch {
		case !ok || q.Type != ShortAnswer:
			return s, exErr("grades."+id, "not a short-answer question of this exercise")
		case g.Points < 0 || g.Points > q.Points:
			return s, exErr("grades."+id, "points must be 0 to %d", q.Points)
		case len(g.Comment) > MaxTextLen:
			return s, exErr("grades."+id, "a comment has at most %d bytes", MaxTextLen)
		}
	}
	s.Results = slices.Clone(s.Results)
	s.Score, s.Status = 0, SubmissionGraded
	for i, r := range s.Results {
		if g, ok := grades[r.QuestionID]; ok {
			r.Pending, r.Points, r.Comment = false, g.Points, g.Comment
			r.Correct = new(g.Points == byID[r.QuestionID].Points)
		}
		if r.Pending {
			s.Status = SubmissionPending
		}
		s.Score += r.Points
		s.Results[i] = r
	}
	s.GradedBy = by
	s.GradedAt = now.UTC().Truncate(time.Millisecond)
	return s, nil
}
