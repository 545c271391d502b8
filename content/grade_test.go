package content_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/store/storetest"
)

func quiz() content.Exercise {
	yes := true
	return content.Exercise{ID: "e1", Title: "Quiz", Questions: []content.Question{
		{ID: "single", Type: content.SingleChoice, Prompt: "2+2?", Choices: []string{"3", "4", "5"}, Correct: []int{1}, Points: 2},
		{ID: "multi", Type: content.MultipleChoice, Prompt: "Primes?", Choices: []string{"2", "4", "5"}, Correct: []int{0, 2}, Points: 3},
		{ID: "tf", Type: content.TrueFalse, Prompt: "Go has goroutines", True: &yes, Points: 1},
		{ID: "blank", Type: content.FillBlank, Prompt: "The capital of China is ___", Accepted: []string{"Beijing", "北京"}, Points: 2},
		{ID: "short", Type: content.ShortAnswer, Prompt: "Explain channels", Points: 5},
	}}
}

func TestGradeEveryType(t *testing.T) {
	e := quiz()
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	for _, c := range []struct {
		name    string
		answers map[string]content.Answer
		correct map[string]bool
		score   int
		status  string
	}{
		{"all right", map[string]content.Answer{
			"single": {Choices: []int{1}}, "multi": {Choices: []int{2, 0}}, "tf": {True: &yes},
			"blank": {Text: "  beijing "}, "short": {Text: "They pass values between goroutines."}},
			map[string]bool{"single": true, "multi": true, "tf": true, "blank": true}, 8, content.SubmissionPending},
		{"chinese blank", map[string]content.Answer{"blank": {Text: "北京"}},
			map[string]bool{"single": false, "multi": false, "tf": false, "blank": true, "short": false}, 2, content.SubmissionGraded},
		{"all wrong", map[string]content.Answer{
			"single": {Choices: []int{0}}, "multi": {Choices: []int{0}}, "tf": {True: &no}, "blank": {Text: "Shanghai"}},
			map[string]bool{"single": false, "multi": false, "tf": false, "blank": false, "short": false}, 0, content.SubmissionGraded},
		{"extra choice", map[string]content.Answer{"multi": {Choices: []int{0, 1, 2}}},
			map[string]bool{"multi": false}, 0, content.SubmissionGraded},
		{"nothing", map[string]content.Answer{}, map[string]bool{"single": false, "short": false}, 0, content.SubmissionGraded},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, score, status, err := content.Grade(e, c.answers)
			if err != nil {
				t.Fatal(err)
			}
			if score != c.score || status != c.status {
				t.Fatalf("score %d status %s; want %d %s", score, status, c.score, c.status)
			}
			for _, r := range res {
				want, ok := c.correct[r.QuestionID]
				if !ok {
					continue
				}
				if r.Correct == nil || *r.Correct != want {
					t.Errorf("%s: correct %v, want %v", r.QuestionID, r.Correct, want)
				}
			}
		})
	}
	for name, a := range map[string]map[string]content.Answer{
		"unknown question":          {"nope": {}},
		"choice out of range":       {"single": {Choices: []int{3}}},
		"two choices for a single":  {"single": {Choices: []int{0, 1}}},
		"repeated choice":           {"multi": {Choices: []int{0, 0}}},
		"true/false without answer": {"tf": {}},
	} {
		if _, _, _, err := content.Grade(e, a); !errors.Is(err, content.ErrInvalidExercise) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestTeacherGradesShortAnswer(t *testing.T) {
	e := quiz()
	_ = e.Validate()
	res, score, status, _ := content.Grade(e, map[string]content.Answer{"single": {Choices: []int{1}}, "short": {Text: "channels"}})
	s := content.Submission{Results: res, Score: score, Status: status}
	if s.Status != content.SubmissionPending || s.Score != 2 {
		t.Fatalf("before grading %+v", s)
	}
	if _, err := content.GradeShortAnswers(e, s, map[string]content.TeacherGrade{"short": {Points: 6}}, "t", time.Now()); !errors.Is(err, content.ErrInvalidExercise) {
		t.Fatalf("points over the question's: %v", err)
	}
	if _, err := content.GradeShortAnswers(e, s, map[string]content.TeacherGrade{"single": {Points: 1}}, "t", time.Now()); !errors.Is(err, content.ErrInvalidExercise) {
		t.Fatalf("grading an objective question: %v", err)
	}
	g, err := content.GradeShortAnswers(e, s, map[string]content.TeacherGrade{"short": {Points: 4, Comment: "Good, but mention buffering."}}, "t", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if g.Status != content.SubmissionGraded || g.Score != 6 || g.Results[4].Comment == "" || g.Results[4].Pending {
		t.Fatalf("after grading %+v", g)
	}
	if s.Results[4].Comment != "" {
		t.Fatal("grading changed the original's results")
	}
}

func TestExerciseValidate(t *testing.T) {
	for name, mod := range map[string]func(*content.Exercise){
		"no title":               func(e *content.Exercise) { e.Title = " " },
		"no questions":           func(e *content.Exercise) { e.Questions = nil },
		"single with two":        func(e *content.Exercise) { e.Questions[0].Correct = []int{0, 1} },
		"correct out of range":   func(e *content.Exercise) { e.Questions[1].Correct = []int{7} },
		"one choice":             func(e *content.Exercise) { e.Questions[0].Choices = []string{"x"} },
		"true/false no answer":   func(e *content.Exercise) { e.Questions[2].True = nil },
		"blank nothing accepted": func(e *content.Exercise) { e.Questions[3].Accepted = nil },
		"unknown type":           func(e *content.Exercise) { e.Questions[4].Type = "essay" },
		"negative points":        func(e *content.Exercise) { e.Questions[0].Points = -1 },
		"duplicate ids":          func(e *content.Exercise) { e.Questions[1].ID = "single" },
		"negative attempts":      func(e *content.Exercise) { e.MaxAttempts = -1 },
	} {
		e := quiz()
		mod(&e)
		var xe *content.ExerciseError
		if err := e.Validate(); !errors.As(err, &xe) || xe.Field == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	e := quiz()
	if e.WithoutKey().Questions[0].Correct != nil || e.WithoutKey().Questions[2].True != nil || e.WithoutKey().Questions[3].Accepted != nil {
		t.Fatal("WithoutKey leaks the key")
	}
}

func TestSubmitPastDue(t *testing.T) {
	st := storetest.SQLite(t)
	_, course, teacher, _ := newService(t, st)
	e := quiz()
	e.ID, e.CourseID, e.CreatedBy = "3b0f2b2c-0000-4000-8000-000000000001", course.ID, teacher.ID
	now := time.Now().UTC().Truncate(time.Millisecond)
	e.DueAt, e.CreatedAt, e.UpdatedAt = now, now, now
	if err := st.InsertExercise(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if _, err := content.Submit(context.Background(), st, e, teacher.ID, nil, now); err != nil {
		t.Fatalf("at the due time: %v", err)
	}
	if _, err := content.Submit(context.Background(), st, e, teacher.ID, nil, now.Add(time.Millisecond)); !errors.Is(err, content.ErrPastDue) {
		t.Fatalf("after the due time: %v", err)
	}
	if l, _ := st.Submissions(context.Background(), e.ID, ""); len(l) != 1 {
		t.Fatalf("%d submissions stored, want 1", len(l))
	}
}
