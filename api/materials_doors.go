package api

import (
	"context"
	"net/http"
	"time"

	"github.com/lectern/lectern/access"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/content"
)

// SlideTimeline is a lesson's slide log (live.SlideLog): which decks it
// presented and when.
type SlideTimeline interface {
	SlideEvents(ctx context.Context, lessonID string) ([]live.SlideEvent, error)
}

var errNotPresented = &Error{Status: http.StatusForbidden, Code: "not_presented",
	Message: "this material was not presented in that lesson"}

// mayUse decides whether acc may read mat, directly or, when via names a
// lesson, as part of that lesson: a material attached to it, or a
// course-wide deck it presented as slides (so that everyone in the room
// and at its replay sees the slides, a free-preview student included).
// A material that is not approved opens only to those who manage the
// course and to reviewers.
func (m *Materials) mayUse(ctx context.Context, acc classroom.Account, course classroom.Course, mat content.Material, via string) error {
	if !mat.Approved() && !seesUnreviewed(acc, course) {
		return errNotReviewed
	}
	lesson := mat.LessonID
	switch {
	case via == "":
	case mat.LessonID != "" && via != mat.LessonID:
		return errNotPresented
	case mat.LessonID == "":
		l, err := m.s.loadLesson(ctx, via)
		if err != nil {
			return err
		}
		if l.CourseID != course.ID {
			return errNotPresented
		}
		if ok, err := m.presented(ctx, via, mat.ID); err != nil || !ok {
			if err == nil {
				err = errNotPresented
			}
			return err
		}
		lesson = via
	}
	d, err := decideContent(ctx, m.doors, acc.ID, course.ID, lesson, access.DoorMaterial)
	if err != nil {
		return err
	}
	return d.Err()
}

// presented reports whether lessonID's slide log shows materialID.
func (m *Materials) presented(ctx context.Context, lessonID, materialID string) (bool, error) {
	if m.slides == nil {
		return false, nil
	}
	evs, err := m.slides.SlideEvents(ctx, lessonID)
	if err != nil {
		return false, err
	}
	for _, e := range evs {
		if e.MaterialID == materialID {
			return true, nil
		}
	}
	return false, nil
}

type slideEventView struct {
	At         time.Time `json:"at"`
	MaterialID string    `json:"material_id"` // "" when the slides were closed
	Page       int       `json:"page"`
}

// slideTimeline answers GET /api/v1/lessons/{id}/slides: the lesson's
// slide log, for whoever may watch its replay; each deck is then read
// with /api/v1/materials/{id}/link?lesson={id}.
func (m *Materials) slideTimeline(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	d, err := m.doors.Decide(r.Context(), c.account.ID, id, access.DoorReplay)
	if err != nil {
		return err
	}
	if err := d.Err(); err != nil {
		return err
	}
	out := []slideEventView{}
	if m.slides != nil {
		evs, err := m.slides.SlideEvents(r.Context(), id)
		if err != nil {
			return err
		}
		for _, e := range evs {
			out = append(out, slideEventView{At: e.At.UTC(), MaterialID: e.MaterialID, Page: e.Page})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out})
	return nil
}
