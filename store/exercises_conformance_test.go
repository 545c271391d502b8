package store

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/content"
)

// TestExerciseConformance runs content.ExerciseStore's cases on every
// backend.
func TestExerciseConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Run("Exercises", func(t *testing.T) { testExercises(t, b.open(t)) })
			t.Run("AttemptLimitConcurrent", func(t *testing.T) { testAttemptLimitConcurrent(t, b.open(t)) })
		})
	}
}

func mkExercise(t *testing.T, s *Store, course classroom.Course, by classroom.Account, maxAttempts int) content.Exercise {
	t.Helper()
	yes := true
	e := content.Exercise{ID: uuid.NewString(), CourseID: course.ID, Title: "Quiz 1 '\"; --", MaxAttempts: maxAttempts,
		DueAt: t0.Add(24 * time.Hour), CreatedBy: by.ID, CreatedAt: t0, UpdatedAt: t0,
		Questions: []content.Question{
			{ID: "q1", Type: content.SingleChoice, Prompt: "2+2?", Choices: []string{"3", "4"}, Correct: []int{1}, Points: 2, Explanation: "算术"},
			{ID: "q2", Type: content.TrueFalse, Prompt: "Go has generics", True: &yes, Points: 1},
		}}
	if err := s.InsertExercise(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func testExercises(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	student := mkAccount(t, s, "s@example.org", classroom.RoleStudent)
	course := mkCourse(t, s, teacher, "Course")
	e := mkExercise(t, s, course, teacher, 0)
	got, err := s.Exercise(ctx, e.ID)
	if err != nil || !reflect.DeepEqual(got, e) {
		t.Fatalf("read back %+v, %v; want %+v", got, err, e)
	}
	e.Title, e.MaxAttempts, e.UpdatedAt = "Renamed", 3, t0.Add(time.Hour)
	if err := s.UpdateExercise(ctx, e); err != nil {
		t.Fatal(err)
	}
	list, err := s.Exercises(ctx, course.ID)
	if err != nil || len(list) != 1 || list[0].Title != "Renamed" || list[0].MaxAttempts != 3 {
		t.Fatalf("list %+v, %v", list, err)
	}
	res, score, status, err := content.Grade(e, map[string]content.Answer{"q1": {Choices: []int{1}}})
	if err != nil {
		t.Fatal(err)
	}
	sub := content.Submission{ID: uuid.NewString(), ExerciseID: e.ID, AccountID: student.ID,
		Answers: map[string]content.Answer{"q1": {Choices: []int{1}}}, Results: res, Score: score, MaxScore: 3,
		Status: status, SubmittedAt: t0}
	first, err := s.InsertSubmission(ctx, sub, 3)
	if err != nil || first.Attempt != 1 {
		t.Fatalf("first submission: %+v, %v", first, err)
	}
	sub.ID = uuid.NewString()
	second, err := s.InsertSubmission(ctx, sub, 3)
	if err != nil || second.Attempt != 2 {
		t.Fatalf("second submission: attempt %d, %v", second.Attempt, err)
	}
	back, err := s.Submission(ctx, first.ID)
	if err != nil || !reflect.DeepEqual(back, first) {
		t.Fatalf("read back %+v, %v; want %+v", back, err, first)
	}
	first.Score, first.Status, first.GradedBy, first.GradedAt = 3, content.SubmissionGraded, teacher.ID, t0.Add(time.Minute)
	first.Results[0].Comment = "好"
	if err := s.UpdateGrade(ctx, first); err != nil {
		t.Fatal(err)
	}
	if back, _ := s.Submission(ctx, first.ID); back.Score != 3 || back.Results[0].Comment != "好" || back.GradedBy != teacher.ID {
		t.Fatalf("after grade %+v", back)
	}
	for name, n := range map[string]int{"mine": 2, "all": 2} {
		acc := student.ID
		if name == "all" {
			acc = ""
		}
		if l, err := s.Submissions(ctx, e.ID, acc); err != nil || len(l) != n {
			t.Fatalf("%s: %d submissions, %v", name, len(l), err)
		}
	}
	if l, err := s.CourseSubmissions(ctx, course.ID); err != nil || len(l) != 2 {
		t.Fatalf("course submissions %d, %v", len(l), err)
	}
	if err := s.DeleteExercise(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submission(ctx, first.ID); !errors.Is(err, content.ErrNotFound) {
		t.Fatalf("submission after its exercise was deleted: %v", err)
	}
	if _, err := s.Exercise(ctx, e.ID); !errors.Is(err, content.ErrNotFound) {
		t.Fatalf("deleted exercise: %v", err)
	}
}

// testAttemptLimitConcurrent: 12 goroutines submit at once against a
// limit of 3: exactly 3 are stored, numbered 1..3.
func testAttemptLimitConcurrent(t *testing.T, s *Store) {
	ctx := context.Background()
	teacher := mkAccount(t, s, "t@example.org", classroom.RoleTeacher)
	student := mkAccount(t, s, "s@example.org", classroom.RoleStudent)
	course := mkCourse(t, s, teacher, "Course")
	e := mkExercise(t, s, course, teacher, 3)
	const n = 12
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, full int
		start    = make(chan struct{})
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := content.Submit(ctx, s, e, student.ID, map[string]content.Answer{"q1": {Choices: []int{0}}}, t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, content.ErrNoAttemptsLeft):
				full++
			default:
				t.Errorf("submit: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if ok != 3 || full != n-3 {
		t.Fatalf("%d stored, %d refused; want 3 and %d", ok, full, n-3)
	}
	list, err := s.Submissions(ctx, e.ID, student.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("%d submissions stored, %v", len(list), err)
	}
	seen := map[int]bool{}
	for _, sub := range list {
		seen[sub.Attempt] = true
	}
	if !seen[1] || !seen[2] || !seen[3] {
		t.Fatalf("attempts %v, want 1, 2, 3", seen)
	}
}
