package content

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// QuestionType is one of the five kinds of question.
type QuestionType string

const (
	SingleChoice   QuestionType = "single"   // one of Choices
	MultipleChoice QuestionType = "multiple" // a set of Choices
	TrueFalse      QuestionType = "truefalse"
	FillBlank      QuestionType = "blank" // text matched against Accepted
	ShortAnswer    QuestionType = "short" // graded by the teacher
)

// Limits on an exercise.
const (
	MaxQuestions   = 100
	MaxChoices     = 10
	MaxTextLen     = 4000 // prompt, explanation, instructions, an answer
	MaxPoints      = 1000
	maxTitleLen    = 200
	maxAcceptedLen = 20
)

// Question is one question with its key (Correct, True, Accepted) and
// explanation, which students see only after they submit.
type Question struct {
	ID          string       `json:"id"`
	Type        QuestionType `json:"type"`
	Prompt      string       `json:"prompt"`
	Choices     []string     `json:"choices,omitempty"`
	Points      int          `json:"points"`
	Correct     []int        `json:"correct,omitempty"`  // single, multiple: indexes into Choices
	True        *bool        `json:"true,omitempty"`     // truefalse
	Accepted    []string     `json:"accepted,omitempty"` // blank: accepted answers (case and surrounding space ignored)
	Explanation string       `json:"explanation,omitempty"`
}

// Exercise is a set of questions of a course (or one of its lessons).
type Exercise struct {
	ID           string     `json:"id"`
	CourseID     string     `json:"course_id"`
	LessonID     string     `json:"lesson_id,omitempty"`
	Title        string     `json:"title"`
	Instructions string     `json:"instructions,omitempty"`
	DueAt        time.Time  `json:"due_at,omitzero"` // zero: no due date
	MaxAttempts  int        `json:"max_attempts"`    // 0: unlimited
	Questions    []Question `json:"questions"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// MaxScore is the sum of the questions' points.
func (e Exercise) MaxScore() int {
	n := 0
	for _, q := range e.Questions {
		n += q.Points
	}
	return n
}

// WithoutKey returns e as a student sees it before submitting: no correct
// answers, no explanations.
func (e Exercise) WithoutKey() Exercise {
	qs := make([]Question, len(e.Questions))
	for i, q := range e.Questions {
		qs[i] = Question{ID: q.ID, Type: q.Type, Prompt: q.Prompt, Choices: q.Choices, Points: q.Points}
	}
	e.Questions = qs
	return e
}

// Validate checks an exercise's fields, returning an *ExerciseError that
// names the field.
func (e *Exercise) Validate() error {
	e.Title = strings.TrimSpace(e.Title)
	switch {
	case e.Title == "" || utf8.RuneCountInString(e.Title) > maxTitleLen:
		return exErr("title", "must have 1 to %d characters", maxTitleLen)
	case len(e.Instructions) > MaxTextLen:
		return exErr("instructions", "must have at most %d bytes", MaxTextLen)
	case e.MaxAttempts < 0 || e.MaxAttempts > 100:
		return exErr("max_attempts", "must be 0 (unlimited) to 100")
	case len(e.Questions) == 0 || len(e.Questions) > MaxQuestions:
		return exErr("questions", "must have 1 to %d questions", MaxQuestions)
	}
	seen := map[string]bool{}
	for i := range e.Questions {
		q := &e.Questions[i]
		if q.ID == "" {
			q.ID = fmt.Sprintf("q%d", i+1)
		}
		f := fmt.Sprintf("questions[%d]", i)
		if seen[q.ID] || len(q.ID) > 40 {
			return exErr(f+".id", "must be unique and at most 40 bytes")
		}
		seen[q.ID] = true
		if err := q.validate(f); err != nil {
			return err
		}
	}
	return nil
}

func (q *Question) validate(f string) error {
	q.Prompt = strings.TrimSpace(q.Prompt)
	switch {
	case q.Prompt == "" || len(q.Prompt) > MaxTextLen:
		return exErr(f+".prompt", "must have 1 to %d bytes", MaxTextLen)
	case len(q.Explanation) > MaxTextLen:
		return exErr(f+".explanation", "must have at most %d bytes", MaxTextLen)
	case q.Points < 0 || q.Points > MaxPoints:
		return exErr(f+".points", "must be 0 to %d", MaxPoints)
	}
	choices := func() error {
		if len(q.Choices) < 2 || len(q.Choices) > MaxChoices {
			return exErr(f+".choices", "must have 2 to %d choices", MaxChoices)
		}
		for _, c := range q.Choices {
			if strings.TrimSpace(c) == "" || len(c) > MaxTextLen {
				return exErr(f+".choices", "each choice must have 1 to %d bytes", MaxTextLen)
			}
		}
		seen := map[int]bool{}
		for _, c := range q.Correct {
			if c < 0 || c >= len(q.Choices) || seen[c] {
				return exErr(f+".correct", "must be distinct indexes into choices")
			}
			seen[c] = true
		}
		return nil
	}
	switch q.Type {
	case SingleChoice:
		if err := choices(); err != nil {
			return err
		}
		if len(q.Correct) != 1 {
			return exErr(f+".correct", "a single-choice question has exactly one correct choice")
		}
	case MultipleChoice:
		if err := choices(); err != nil {
			return err
		}
		if len(q.Correct) == 0 {
			return exErr(f+".correct", "a multiple-choice question has at least one correct choice")
		}
	case TrueFalse:
		if q.True == nil {
			return exErr(f+".true", "a true/false question needs its answer")
		}
		q.Choices, q.Correct = nil, nil
	case FillBlank:
		if len(q.Accepted) == 0 || len(q.Accepted) > maxAcceptedLen {
			return exErr(f+".accepted", "a fill-in-the-blank question needs 1 to %d accepted answers", maxAcceptedLen)
		}
		for _, a := range q.Accepted {
			if strings.TrimSpace(a) == "" || len(a) > MaxTextLen {
				return exErr(f+".accepted", "each accepted answer must have 1 to %d bytes", MaxTextLen)
			}
		}
		q.Choices, q.Correct = nil, nil
	case ShortAnswer:
		q.Choices, q.Correct, q.Accepted, q.True = nil, nil, nil, nil
	default:
		return exErr(f+".type", "must be single, multiple, truefalse, blank or short")
	}
	return nil
}

// ExerciseError is an invalid field of an exercise, answer or grade.
type ExerciseError struct {
	Field, Message string
}

func (e *ExerciseError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, ErrInvalidExercise) true.
func (e *ExerciseError) Unwrap() error { return ErrInvalidExercise }

func exErr(field, format string, a ...any) error {
	return &ExerciseError{Field: field, Message: fmt.Sprintf(format, a...)}
}
