package live

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

// testDecks presents "deck" (12 pages) and "unpaged" (page count unknown);
// "video" is refused as not a PDF; anything else is not of the course.
type testDecks struct{}

func (testDecks) SlideDeck(_ context.Context, _, id string) (SlideDeck, error) {
	switch id {
	case "deck":
		return SlideDeck{MaterialID: id, Name: "Week 1.pdf", Pages: 12}, nil
	case "unpaged":
		return SlideDeck{MaterialID: id, Name: "old.pdf"}, nil
	case "video":
		return SlideDeck{}, errf(CodeInvalid, "only a PDF can be presented")
	case "broken":
		return SlideDeck{}, errors.New("database down")
	}
	return SlideDeck{}, ErrNotFound
}

// slidesOf returns the slide state an event list announces.
func slidesOf(t *testing.T, r Result) *SlideState {
	t.Helper()
	for _, e := range r.Events {
		if e.Type == EvSlidesState {
			if e.To.Kind != ToEveryone {
				t.Fatalf("slides.state to %+v, want everyone", e.To)
			}
			return e.Payload.(SlidesChanged).Slides
		}
	}
	t.Fatalf("no slides.state in %+v", r.Events)
	return nil
}

// TestSlidesFollowTheTeacher: open, turn and close reach everyone, the
// snapshot of a late joiner has the page, every change is in the slide log
// with its time, and refusals change nothing.
func TestSlidesFollowTheTeacher(t *testing.T) {
	st := NewMemoryStore()
	l, clk := newTestLesson(t, WithDecks(testDecks{}), WithStore(st))
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "a", token.RoleAssistant)
	join(t, l, "s", token.RoleStudent)

	t0 := clk.Now()
	s := slidesOf(t, ok(t)(l.Dispatch(ctx, "t", MsgSlidesOpen, json.RawMessage(`{"materialId":"deck"}`))))
	if s == nil || s.MaterialID != "deck" || s.Page != 1 || s.Pages != 12 || s.Name != "Week 1.pdf" || s.By != "t" || s.At != t0.UnixMilli() {
		t.Fatalf("opened: %+v", s)
	}
	clk.Add(2 * time.Second)
	s = slidesOf(t, ok(t)(l.Dispatch(ctx, "a", MsgSlidesPage, json.RawMessage(`{"page":2}`))))
	if s.Page != 2 || s.By != "a" {
		t.Fatalf("turned: %+v", s)
	}
	// The same page again says nothing and logs nothing.
	if r := ok(t)(l.Dispatch(ctx, "t", MsgSlidesPage, json.RawMessage(`{"page":2}`))); len(r.Events) != 0 {
		t.Fatalf("same page: %+v", r.Events)
	}
	// Refused: a student turning the page, a page out of range, a video.
	for _, c := range []struct{ who, typ, payload, code string }{
		{"s", MsgSlidesPage, `{"page":3}`, CodeForbidden},
		{"s", MsgSlidesClose, `{}`, CodeForbidden},
		{"t", MsgSlidesPage, `{"page":0}`, CodeInvalid},
		{"t", MsgSlidesPage, `{"page":13}`, CodeInvalid},
		{"t", MsgSlidesOpen, `{"materialId":"video"}`, CodeInvalid},
		{"t", MsgSlidesOpen, `{"materialId":"other-course"}`, CodeNotFound},
		{"t", MsgSlidesOpen, `{"materialId":""}`, CodeInvalid},
		{"t", MsgSlidesOpen, `{"materialId":"broken"}`, CodeInternal},
		{"t", MsgSlidesOpen, `{"materialId":"deck","page":99}`, CodeInvalid},
	} {
		if _, err := l.Dispatch(ctx, c.who, c.typ, json.RawMessage(c.payload)); CodeOf(err) != c.code {
			t.Errorf("%s %s %s: %v, want %s", c.who, c.typ, c.payload, err, c.code)
		}
	}
	if got := l.Slides(); got == nil || got.Page != 2 {
		t.Fatalf("after refusals: %+v", got)
	}

	// A late joiner lands on page 2.
	jr := join(t, l, "late", token.RoleStudent)
	if jr.Snapshot.Slides == nil || jr.Snapshot.Slides.MaterialID != "deck" || jr.Snapshot.Slides.Page != 2 {
		t.Fatalf("late joiner's snapshot: %+v", jr.Snapshot.Slides)
	}

	clk.Add(time.Minute)
	if s := slidesOf(t, ok(t)(l.Dispatch(ctx, "t", MsgSlidesClose, nil))); s != nil {
		t.Fatalf("closed: %+v", s)
	}
	if jr := join(t, l, "later", token.RoleStudent); jr.Snapshot.Slides != nil {
		t.Fatalf("snapshot after close: %+v", jr.Snapshot.Slides)
	}
	// An unpaged deck takes any page up to the bound.
	ok(t)(l.Dispatch(ctx, "t", MsgSlidesOpen, json.RawMessage(`{"materialId":"unpaged","page":40}`)))

	log, _ := st.SlideEvents(ctx, l.ID())
	want := []SlideEvent{
		{LessonID: l.ID(), At: t0.UTC(), MaterialID: "deck", Page: 1},
		{LessonID: l.ID(), At: t0.Add(2 * time.Second).UTC(), MaterialID: "deck", Page: 2},
		{LessonID: l.ID(), At: t0.Add(62 * time.Second).UTC(), MaterialID: ""},
		{LessonID: l.ID(), At: t0.Add(62 * time.Second).UTC(), MaterialID: "unpaged", Page: 40},
	}
	if len(log) != len(want) {
		t.Fatalf("slide log %+v, want %+v", log, want)
	}
	for i := range want {
		if !log[i].At.Equal(want[i].At) || log[i].MaterialID != want[i].MaterialID || log[i].Page != want[i].Page {
			t.Errorf("slide log[%d] = %+v, want %+v", i, log[i], want[i])
		}
	}
}

// TestSlidesWithoutDecks: a lesson with no Decks presents nothing.
func TestSlidesWithoutDecks(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	if _, err := l.Dispatch(ctx, "t", MsgSlidesOpen, json.RawMessage(`{"materialId":"deck"}`)); CodeOf(err) != CodeNotFound {
		t.Fatalf("open without decks: %v", err)
	}
	for typ, payload := range map[string]string{MsgSlidesPage: `{"page":1}`, MsgSlidesPointer: `{"x":0,"y":0}`} {
		if _, err := l.Dispatch(ctx, "t", typ, json.RawMessage(payload)); CodeOf(err) != CodeConflict {
			t.Errorf("%s with nothing open: %v, want conflict", typ, err)
		}
	}
	if r := ok(t)(l.Dispatch(ctx, "t", MsgSlidesClose, nil)); len(r.Events) != 0 {
		t.Errorf("closing nothing: %+v", r.Events)
	}
}

// TestSlidePointer: pointer moves go to everyone but the sender, are
// rate-limited per moderator, are never logged, and change no room state.
func TestSlidePointer(t *testing.T) {
	st := NewMemoryStore()
	l, clk := newTestLesson(t, WithDecks(testDecks{}), WithStore(st), WithPointerRateLimit(3, time.Second))
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	if _, err := l.Dispatch(ctx, "t", MsgSlidesPointer, json.RawMessage(`{"x":0.1,"y":0.1}`)); CodeOf(err) != CodeConflict {
		t.Fatalf("pointer with no slides: %v", err)
	}
	ok(t)(l.Dispatch(ctx, "t", MsgSlidesOpen, json.RawMessage(`{"materialId":"deck"}`)))
	room, _ := st.RoomState(ctx, l.ID())
	for i := range 3 {
		r := ok(t)(l.Dispatch(ctx, "t", MsgSlidesPointer, json.RawMessage(`{"x":0.5,"y":0.75}`)))
		if len(r.Events) != 1 || r.Events[0].Type != EvSlidesPointer || r.Events[0].To != everyoneExcept("t") {
			t.Fatalf("move %d: %+v", i, r.Events)
		}
		if p := r.Events[0].Payload.(SlidePointer); p.ParticipantID != "t" || p.X != 0.5 || p.Y != 0.75 {
			t.Fatalf("move %d: %+v", i, p)
		}
	}
	_, err := l.Dispatch(ctx, "t", MsgSlidesPointer, json.RawMessage(`{"x":0.5,"y":0.75}`))
	var le *Error
	if !errors.As(err, &le) || le.Code != CodeRateLimited || le.RetryAfter <= 0 {
		t.Fatalf("fourth move in a second: %v", err)
	}
	clk.Add(time.Second)
	ok(t)(l.Dispatch(ctx, "t", MsgSlidesPointer, json.RawMessage(`{"hide":true}`)))
	log, _ := st.SlideEvents(ctx, l.ID())
	if len(log) != 1 {
		t.Fatalf("pointer moves logged: %+v", log)
	}
	if after, _ := st.RoomState(ctx, l.ID()); after.Slides == nil || *after.Slides != *room.Slides {
		t.Fatalf("room state changed by the pointer: %+v → %+v", room.Slides, after.Slides)
	}
}

// TestSlidesSurviveRestart: a new Lesson restored from the store shows
// the same deck and page.
func TestSlidesSurviveRestart(t *testing.T) {
	st := NewMemoryStore()
	l, _ := newTestLesson(t, WithDecks(testDecks{}), WithStore(st))
	join(t, l, "t", token.RoleTeacher)
	ok(t)(l.Dispatch(ctx, "t", MsgSlidesOpen, json.RawMessage(`{"materialId":"deck","page":5}`)))
	ok(t)(l.Dispatch(ctx, "t", MsgSlidesPage, json.RawMessage(`{"page":7}`)))

	again, _ := newTestLesson(t, WithDecks(testDecks{}), WithStore(st))
	if err := again.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	jr := join(t, again, "s", token.RoleStudent)
	if s := jr.Snapshot.Slides; s == nil || s.MaterialID != "deck" || s.Page != 7 || s.Pages != 12 {
		t.Fatalf("after restart: %+v", s)
	}
	// A stored page out of range (a store edited by hand) is dropped.
	room, _ := st.RoomState(ctx, l.ID())
	room.Slides.Page = 99
	_ = st.PutRoomState(ctx, l.ID(), room)
	third, _ := newTestLesson(t, WithDecks(testDecks{}), WithStore(st))
	if err := third.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	if s := third.Slides(); s != nil {
		t.Fatalf("restored an impossible page: %+v", s)
	}
}

// failingSlideLog is a MemoryStore whose slide log is down.
type failingSlideLog struct{ *MemoryStore }

func (failingSlideLog) AppendSlideEvent(context.Context, SlideEvent) error {
	return errors.New("disk full")
}

// TestSlidesRefusedWhenNotLogged: a change the replay could not show is
// refused with internal and changes nothing; nobody is told of it.
func TestSlidesRefusedWhenNotLogged(t *testing.T) {
	st := failingSlideLog{NewMemoryStore()}
	l, _ := newTestLesson(t, WithDecks(testDecks{}), WithStore(st))
	join(t, l, "t", token.RoleTeacher)
	r, err := l.Dispatch(ctx, "t", MsgSlidesOpen, json.RawMessage(`{"materialId":"deck"}`))
	if CodeOf(err) != CodeInternal || len(r.Events) != 0 {
		t.Fatalf("open with the log down: %v, %+v", err, r.Events)
	}
	if s := l.Slides(); s != nil {
		t.Fatalf("slides after a refused open: %+v", s)
	}
	if room, err := st.RoomState(ctx, l.ID()); err == nil && room.Slides != nil {
		t.Fatalf("stored room state has slides: %+v", room.Slides)
	}
}
