package content

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/classroom/live"
)

// LessonFinder reads a lesson; package store implements it.
type LessonFinder interface {
	Lesson(ctx context.Context, id string) (classroom.Lesson, error)
}

// Decks lets a live lesson present a course's PDFs as slides
// (live.Decks): a material may be presented in a lesson when it is a PDF
// of the lesson's course, attached to that lesson or to the whole course.
// Everyone in the room may then read it through the lesson (the materials
// endpoint's ?lesson=, checked against the slide log and the access
// policy's decision for the lesson).
type Decks struct {
	mats    Store
	lessons LessonFinder
}

// NewDecks returns the decks of the materials in mats.
func NewDecks(mats Store, lessons LessonFinder) *Decks {
	return &Decks{mats: mats, lessons: lessons}
}

var _ live.Decks = (*Decks)(nil)

// SlideDeck implements live.Decks.
func (d *Decks) SlideDeck(ctx context.Context, lessonID, materialID string) (live.SlideDeck, error) {
	if uuid.Validate(materialID) != nil {
		return live.SlideDeck{}, live.ErrNotFound
	}
	l, err := d.lessons.Lesson(ctx, lessonID)
	if errors.Is(err, classroom.ErrNotFound) {
		return live.SlideDeck{}, live.ErrNotFound
	}
	if err != nil {
		return live.SlideDeck{}, err
	}
	m, err := d.mats.Material(ctx, materialID)
	if errors.Is(err, ErrNotFound) || (err == nil && m.CourseID != l.CourseID) {
		return live.SlideDeck{}, live.ErrNotFound
	}
	if err != nil {
		return live.SlideDeck{}, err
	}
	if m.Kind != KindPDF {
		return live.SlideDeck{}, &live.Error{Code: live.CodeInvalid, Message: fmt.Sprintf("%q is not a PDF: only a PDF can be presented", m.Name)}
	}
	if !m.Approved() {
		return live.SlideDeck{}, &live.Error{Code: live.CodeForbidden, Message: fmt.Sprintf("%q is waiting for review: students cannot see it yet", m.Name)}
	}
	if m.LessonID != "" && m.LessonID != lessonID {
		return live.SlideDeck{}, &live.Error{Code: live.CodeForbidden, Message: fmt.Sprintf("%q belongs to another lesson of the course", m.Name)}
	}
	return live.SlideDeck{MaterialID: m.ID, Name: m.Name, Pages: m.Pages}, nil
}
