package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

func sampleExercise(maxAttempts int, due time.Time) map[string]any {
	return map[string]any{
		"title": "第一周练习", "instructions": "Answer everything.", "max_attempts": maxAttempts, "due_at": due.Format(time.RFC3339),
		"questions": []map[string]any{
			{"id": "s", "type": "single", "prompt": "2+2?", "choices": []string{"3", "4"}, "correct": []int{1}, "points": 2, "explanation": "Arithmetic."},
			{"id": "m", "type": "multiple", "prompt": "Primes?", "choices": []string{"2", "4", "5"}, "correct": []int{0, 2}, "points": 3},
			{"id": "tf", "type": "truefalse", "prompt": "Go has goroutines", "true": true, "points": 1},
			{"id": "b", "type": "blank", "prompt": "Capital of China: ___", "accepted": []string{"Beijing", "北京"}, "points": 2},
			{"id": "sa", "type": "short", "prompt": "Explain channels.", "points": 5},
		},
	}
}

type exerciseJSON struct {
	ID        string             `json:"id"`
	Questions []content.Question `json:"questions"`
}

type submitted struct {
	Submission content.Submission `json:"submission"`
	Exercise   *exerciseJSON      `json:"exercise"`
}

var goodAnswers = map[string]any{"answers": map[string]any{
	"s": map[string]any{"choices": []int{1}}, "m": map[string]any{"choices": []int{2, 0}},
	"tf": map[string]any{"true": true}, "b": map[string]any{"text": " 北京 "}, "sa": map[string]any{"text": "They carry values."},
}}

func TestExercisesFlow(t *testing.T) {
	storetest.ForEach(t, testExercisesFlow)
}

func testExercisesFlow(t *testing.T, st *store.Store) {
	h := newMatHarness(t, st)
	teacher := h.teacher("teacher@example.org")
	courseID := teacher.createCourse(t, "Course")
	student := h.register("student@example.org", "=cmd|' /C calc'!A0")
	want(t, student.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
	outsider := h.register("outsider@example.org", "Outsider")
	idle := h.register("idle@example.org", "Zhou Idle") // enrolled, never submits
	want(t, idle.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)

	want(t, student.do("POST", "/api/v1/courses/"+courseID+"/exercises", sampleExercise(1, h.clock.Now().Add(time.Hour))), http.StatusForbidden, "forbidden")
	bad := sampleExercise(1, h.clock.Now())
	bad["questions"].([]map[string]any)[0]["correct"] = []int{5}
	r := teacher.do("POST", "/api/v1/courses/"+courseID+"/exercises", bad)
	want(t, r, http.StatusUnprocessableEntity, "invalid_input")
	r = teacher.do("POST", "/api/v1/courses/"+courseID+"/exercises", sampleExercise(1, h.clock.Now().Add(time.Hour)))
	want(t, r, http.StatusCreated)
	var ex exerciseJSON
	r.decode(t, &ex)

	// Before submitting, a student sees no key.
	r = student.do("GET", "/api/v1/exercises/"+ex.ID, nil)
	want(t, r, http.StatusOK)
	var got struct{ Exercise exerciseJSON }
	r.decode(t, &got)
	if q := got.Exercise.Questions; len(q) != 5 || q[0].Correct != nil || q[0].Explanation != "" || q[2].True != nil || q[3].Accepted != nil {
		t.Fatalf("student sees the key before submitting: %+v", q)
	}
	want(t, outsider.do("GET", "/api/v1/exercises/"+ex.ID, nil), http.StatusForbidden, "not_a_member")
	want(t, outsider.do("POST", "/api/v1/exercises/"+ex.ID+"/submissions", goodAnswers), http.StatusForbidden, "not_a_member")
	want(t, student.do("POST", "/api/v1/exercises/"+ex.ID+"/submissions", map[string]any{"answers": map[string]any{"s": map[string]any{"choices": []int{9}}}}),
		http.StatusUnprocessableEntity, "invalid_input")

	// Graded at once; the key and explanation come with the result.
	r = student.do("POST", "/api/v1/exercises/"+ex.ID+"/submissions", goodAnswers)
	want(t, r, http.StatusCreated)
	var sub submitted
	r.decode(t, &sub)
	if s := sub.Submission; s.Score != 8 || s.MaxScore != 13 || s.Status != content.SubmissionPending || s.Attempt != 1 {
		t.Fatalf("submission %+v", s)
	}
	if sub.Exercise == nil || sub.Exercise.Questions[0].Explanation != "Arithmetic." || sub.Exercise.Questions[0].Correct[0] != 1 {
		t.Fatalf("key not shown after the submission: %+v", sub.Exercise)
	}
	// One attempt only.
	want(t, student.do("POST", "/api/v1/exercises/"+ex.ID+"/submissions", goodAnswers), http.StatusConflict, "no_attempts_left")

	// The teacher grades the short answer with a comment.
	want(t, student.do("PUT", "/api/v1/submissions/"+sub.Submission.ID+"/grade", map[string]any{"grades": map[string]any{"sa": map[string]any{"points": 5}}}), http.StatusForbidden, "forbidden")
	want(t, teacher.do("PUT", "/api/v1/submissions/"+sub.Submission.ID+"/grade", map[string]any{"grades": map[string]any{"sa": map[string]any{"points": 9}}}), http.StatusUnprocessableEntity, "invalid_input")
	r = teacher.do("PUT", "/api/v1/submissions/"+sub.Submission.ID+"/grade", map[string]any{"grades": map[string]any{"sa": map[string]any{"points": 4, "comment": "Mention buffering."}}})
	want(t, r, http.StatusOK)
	var graded content.Submission
	r.decode(t, &graded)
	if graded.Score != 12 || graded.Status != content.SubmissionGraded || graded.Results[4].Comment != "Mention buffering." {
		t.Fatalf("graded %+v", graded)
	}
	r = student.do("GET", "/api/v1/exercises/"+ex.ID+"/submissions", nil)
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), "Mention buffering.") {
		t.Fatalf("the student does not see the comment: %s", r.body)
	}

	// Past the due date: refused, nothing stored.
	h.clock.Add(time.Second)
	r = teacher.do("POST", "/api/v1/courses/"+courseID+"/exercises", sampleExercise(0, h.clock.Now().Add(time.Minute)))
	want(t, r, http.StatusCreated)
	var late exerciseJSON
	r.decode(t, &late)
	h.clock.Add(2 * time.Minute)
	want(t, student.do("POST", "/api/v1/exercises/"+late.ID+"/submissions", goodAnswers), http.StatusConflict, "past_due")

	// Gradebook.
	want(t, student.do("GET", "/api/v1/courses/"+courseID+"/gradebook", nil), http.StatusForbidden, "forbidden")
	r = teacher.do("GET", "/api/v1/courses/"+courseID+"/gradebook", nil)
	want(t, r, http.StatusOK)
	var gb content.Gradebook
	r.decode(t, &gb)
	if len(gb.Exercises) != 2 || len(gb.Students) != 2 || gb.Students[0].Scores[ex.ID].Best != 12 || gb.Students[0].Total != 12 {
		t.Fatalf("gradebook %+v", gb)
	}
	// The student who never submitted is listed, every exercise missing;
	// the other misses the exercise refused past its due date.
	if s := gb.Students[1]; s.AccountID != idle.id || s.Name != "Zhou Idle" || s.Total != 0 || len(s.Scores) != 0 ||
		fmt.Sprint(s.Missing) != fmt.Sprint([]string{gb.Exercises[0].ID, gb.Exercises[1].ID}) {
		t.Fatalf("idle student's row %+v", s)
	}
	if m := gb.Students[0].Missing; len(m) != 1 || m[0] != late.ID {
		t.Fatalf("missing of the student who submitted: %v, want [%s]", m, late.ID)
	}
	r = teacher.do("GET", "/api/v1/courses/"+courseID+"/gradebook.csv", nil)
	want(t, r, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("CSV %q: %v", r.body, err)
	}
	if rows[1][0] != "'=cmd|' /C calc'!A0" || rows[1][2] != "12" || rows[1][3] != "missing" || rows[1][4] != "12" {
		t.Fatalf("CSV row %q", rows[1])
	}
	if fmt.Sprint(rows[2]) != "[Zhou Idle idle@example.org missing missing 0]" {
		t.Fatalf("CSV row of the idle student %q", rows[2])
	}
	want(t, student.do("DELETE", "/api/v1/exercises/"+ex.ID, nil), http.StatusForbidden, "forbidden")
	want(t, teacher.do("DELETE", "/api/v1/exercises/"+ex.ID, nil), http.StatusNoContent)
	want(t, student.do("GET", "/api/v1/exercises/"+ex.ID, nil), http.StatusNotFound, "not_found")
}

// TestExerciseAttemptsConcurrent: one student fires 10 submissions at
// once at an exercise allowing 2: exactly 2 are accepted.
func TestExerciseAttemptsConcurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		h := newMatHarness(t, st)
		teacher := h.teacher("teacher@example.org")
		courseID := teacher.createCourse(t, "Course")
		student := h.register("student@example.org", "Student")
		want(t, student.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
		r := teacher.do("POST", "/api/v1/courses/"+courseID+"/exercises", sampleExercise(2, h.clock.Now().Add(time.Hour)))
		want(t, r, http.StatusCreated)
		var ex exerciseJSON
		r.decode(t, &ex)
		const n = 10
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			statuses = map[int]int{}
			start    = make(chan struct{})
		)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := student.doAsync("POST", "/api/v1/exercises/"+ex.ID+"/submissions", goodAnswers)
				mu.Lock()
				statuses[r]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		if statuses[http.StatusCreated] != 2 || statuses[http.StatusConflict] != n-2 {
			t.Fatalf("statuses %v; want 2 × 201 and %d × 409", statuses, n-2)
		}
		r = student.do("GET", "/api/v1/exercises/"+ex.ID+"/submissions", nil)
		var list struct{ Submissions []content.Submission }
		r.decode(t, &list)
		if len(list.Submissions) != 2 {
			t.Fatalf("%d submissions stored", len(list.Submissions))
		}
	})
}

// TestExercisePaidAccess: a paid course's exercises need an entitlement.
func TestExercisePaidAccess(t *testing.T) {
	h := newMatHarness(t, storetest.SQLite(t))
	teacher := h.teacher("teacher@example.org")
	courseID := teacher.createCourse(t, "Paid")
	h.price(t, teacher, courseID)
	r := teacher.do("POST", "/api/v1/courses/"+courseID+"/exercises", sampleExercise(0, h.clock.Now().Add(time.Hour)))
	want(t, r, http.StatusCreated)
	var ex exerciseJSON
	r.decode(t, &ex)
	unpaid := h.register("unpaid@example.org", "Unpaid")
	want(t, unpaid.do("POST", "/api/v1/courses/"+courseID+"/enrolment", nil), http.StatusCreated)
	want(t, unpaid.do("GET", "/api/v1/exercises/"+ex.ID, nil), http.StatusPaymentRequired, "payment_required")
	want(t, unpaid.do("POST", "/api/v1/exercises/"+ex.ID+"/submissions", goodAnswers), http.StatusPaymentRequired, "payment_required")
	paid := h.register("paid@example.org", "Paid")
	h.buy(t, paid, courseID)
	want(t, paid.do("POST", "/api/v1/exercises/"+ex.ID+"/submissions", goodAnswers), http.StatusCreated)
}

// doAsync sends a JSON request from any goroutine and returns the status
// (0 if the request failed).
func (c *client) doAsync(method, path string, body any) int {
	j, _ := json.Marshal(body)
	req, err := http.NewRequest(method, c.h.srv.URL+path, bytes.NewReader(j))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
