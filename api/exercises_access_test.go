package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestExerciseAccessMatrix: the access policy decides who lists, reads,
// answers and sees the results of a paid course's exercises — course-wide
// (DecideCourse), on a paid lesson and on a free-preview lesson (Decide)
// — for everyone from the teacher to a stranger; both stores.
func TestExerciseAccessMatrix(t *testing.T) {
	storetest.ForEach(t, testExerciseAccessMatrix)
}

func testExerciseAccessMatrix(t *testing.T, st *store.Store) {
	h := newMatHarness(t, st)
	k := h.paidClass(t)
	create := func(lessonID string) string {
		t.Helper()
		body := sampleExercise(0, h.clock.Now().Add(time.Hour))
		if lessonID != "" {
			body["lesson_id"] = lessonID
		}
		r := k.teacher.do("POST", "/api/v1/courses/"+k.course+"/exercises", body)
		want(t, r, http.StatusCreated)
		var ex exerciseJSON
		r.decode(t, &ex)
		return ex.ID
	}
	wide, onLesson, onPreview := create(""), create(k.lesson), create(k.preview)

	// Results kept from before: the refunded and the removed student
	// answered while entitled.
	want(t, k.refunded.do("POST", "/api/v1/exercises/"+wide+"/submissions", goodAnswers), http.StatusCreated)
	want(t, k.removed.do("POST", "/api/v1/exercises/"+wide+"/submissions", goodAnswers), http.StatusCreated)
	k.refund()
	k.remove(t)

	type cells struct{ wide, lesson, preview outcome }
	all := cells{opened, opened, opened}
	read := map[string]cells{
		"teacher": all, "assistant": all, "entitled": all, "admin": all, "reviewer": all,
		"refunded":  {paymentNeeded, paymentNeeded, opened},
		"unpaid":    {paymentNeeded, paymentNeeded, opened},
		"removed":   {notMember, notMember, notMember},
		"stranger":  {notMember, notMember, notMember},
		"banned":    {opened, bannedOut, opened},
		"anonymous": {signInFirst, signInFirst, signInFirst},
	}
	for _, p := range k.who() {
		c := read[p.name]
		for _, x := range []struct {
			id   string
			want outcome
			what string
		}{{wide, c.wide, "course-wide"}, {onLesson, c.lesson, "lesson's"}, {onPreview, c.preview, "preview's"}} {
			expect(t, p.name+" reads the "+x.what+" exercise", p.c.do("GET", "/api/v1/exercises/"+x.id, nil), x.want)
			// The results follow the same door as the exercise.
			expect(t, p.name+" reads the "+x.what+" results", p.c.do("GET", "/api/v1/exercises/"+x.id+"/submissions", nil), x.want)
		}
	}

	// Listing shows what opens, and refuses with the course's reason
	// when nothing does.
	all3 := []string{wide, onLesson, onPreview}
	lists := map[string][]string{"teacher": all3, "assistant": all3, "entitled": all3, "admin": all3, "reviewer": all3,
		"banned": {wide, onPreview}, "unpaid": {onPreview}, "refunded": {onPreview}}
	refused := map[string]outcome{"removed": notMember, "stranger": notMember, "anonymous": signInFirst}
	k.listEach(t, "/api/v1/courses/"+k.course+"/exercises", "exercises", lists, refused)

	// Answering: the same door, and reviewers read without answering.
	for i, c := range []struct {
		who *client
		id  string
		o   outcome
	}{
		{k.entitled, onLesson, outcome{http.StatusCreated, ""}},
		{k.assistant, wide, outcome{http.StatusCreated, ""}},
		{k.unpaid, onPreview, outcome{http.StatusCreated, ""}},
		{k.unpaid, wide, paymentNeeded},
		{k.refunded, wide, paymentNeeded},
		{k.removed, wide, notMember},
		{k.banned, onLesson, bannedOut},
		{k.stranger, onPreview, notMember},
		{k.reviewer, wide, outcome{http.StatusForbidden, "forbidden"}},
	} {
		expect(t, fmt.Sprintf("answer #%d", i), c.who.do("POST", "/api/v1/exercises/"+c.id+"/submissions", goodAnswers), c.o)
	}
	// The gradebook stays the teacher's and assistants'.
	want(t, k.assistant.do("GET", "/api/v1/courses/"+k.course+"/gradebook", nil), http.StatusOK)
	want(t, k.entitled.do("GET", "/api/v1/courses/"+k.course+"/gradebook", nil), http.StatusForbidden, "forbidden")
}
