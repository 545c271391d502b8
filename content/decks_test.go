package content_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/content"
	"github.com/lectern/lectern/store"
	"github.com/lectern/lectern/store/storetest"
)

// TestDecks: what a lesson may present as slides, on both stores: a PDF
// of its course, course-wide or its own; not a PDF of another lesson, of
// another course, one waiting for review, a video, or an unknown id.
func TestDecks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, course, teacher, _ := newService(t, st)
		_, other, otherTeacher, _ := newService(t, st)
		lesson := func(c classroom.Course) string {
			title, now, d := "L", time.Now(), time.Hour
			l, err := classroom.NewLesson(c, classroom.LessonChange{Title: &title, StartsAt: &now, Duration: &d}, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.CreateLesson(ctx, l); err != nil {
				t.Fatal(err)
			}
			return l.ID
		}
		here, there := lesson(course), lesson(course)
		add := func(courseID, lessonID, name, by string, data []byte, pending ...bool) string {
			m, err := svc.Add(ctx, content.NewMaterial{CourseID: courseID, LessonID: lessonID, Name: name, CreatedBy: by,
				Pending: len(pending) > 0}, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		wide := add(course.ID, "", "wide.pdf", teacher.ID, minimalPDF(4))
		own := add(course.ID, here, "own.pdf", teacher.ID, minimalPDF(2))
		elsewhere := add(course.ID, there, "elsewhere.pdf", teacher.ID, minimalPDF(3))
		notes := add(course.ID, "", "notes.txt", teacher.ID, []byte("plain notes"))
		foreign := add(other.ID, "", "foreign.pdf", otherTeacher.ID, minimalPDF(5))
		unreviewed := add(course.ID, "", "unreviewed.pdf", teacher.ID, minimalPDF(6), true)

		decks := content.NewDecks(st, st)
		for _, c := range []struct {
			name, material, code string
			pages                int
		}{
			{"course-wide PDF", wide, "", 4},
			{"this lesson's PDF", own, "", 2},
			{"another lesson's PDF", elsewhere, live.CodeForbidden, 0},
			{"not a PDF", notes, live.CodeInvalid, 0},
			{"another course's PDF", foreign, live.CodeNotFound, 0},
			{"a PDF waiting for review", unreviewed, live.CodeForbidden, 0},
			{"unknown", uuid.NewString(), live.CodeNotFound, 0},
			{"not an id", "../etc/passwd", live.CodeNotFound, 0},
		} {
			d, err := decks.SlideDeck(ctx, here, c.material)
			if live.CodeOf(err) != c.code {
				t.Errorf("%s: %v, want %q", c.name, err, c.code)
				continue
			}
			if err == nil && (d.MaterialID != c.material || d.Pages != c.pages || d.Name == "") {
				t.Errorf("%s: deck %+v", c.name, d)
			}
		}
		if _, err := decks.SlideDeck(ctx, uuid.NewString(), wide); live.CodeOf(err) != live.CodeNotFound {
			t.Errorf("unknown lesson: %v", err)
		}
	})
}
