package store

import (
	"context"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/token"
)

// oneDeck presents material "deck", 12 pages.
type oneDeck struct{}

func (oneDeck) SlideDeck(_ context.Context, _, id string) (live.SlideDeck, error) {
	if id != "deck" {
		return live.SlideDeck{}, live.ErrNotFound
	}
	return live.SlideDeck{MaterialID: id, Name: "Week 1.pdf", Pages: 12}, nil
}

// TestSlidesSurviveRestart: on each backend, the deck and page on screen
// come back after the store is closed and reopened (a late joiner lands on
// them), and the slide log keeps every change with its time.
func TestSlidesSurviveRestart(t *testing.T) { forRestartBackends(t, testSlidesRestart) }

func testSlidesRestart(t *testing.T, cfg Config) {
	ctx := context.Background()
	c := &liveClock{t: time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)}
	start := c.t
	st := openTest(t, cfg)
	l := live.New("lesson-s", live.WithStore(st.Live()), live.WithClock(c.now), live.WithDecks(oneDeck{}))
	liveJoin(t, l, "c-t", "u-t", token.RoleTeacher)
	liveOK(t)(l.OpenSlides(ctx, "c-t", live.SlidesOpen{MaterialID: "deck"}))
	c.t = c.t.Add(90 * time.Second)
	liveOK(t)(l.TurnSlide(ctx, "c-t", live.SlidesPage{Page: 4}))
	l.SaveRoom(ctx)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	c.t = c.t.Add(30 * time.Second)
	st = openTest(t, cfg)
	l = live.New("lesson-s", live.WithStore(st.Live()), live.WithClock(c.now), live.WithDecks(oneDeck{}))
	if err := l.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	late := liveJoin(t, l, "c-late", "u-late", token.RoleStudent)
	if s := late.Snapshot.Slides; s == nil || s.MaterialID != "deck" || s.Page != 4 || s.Pages != 12 || s.Name != "Week 1.pdf" {
		t.Fatalf("slides after restart: %+v", s)
	}
	evs, err := st.Live().SlideEvents(ctx, "lesson-s")
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || !evs[0].At.Equal(start) || evs[0].Page != 1 || !evs[1].At.Equal(start.Add(90*time.Second)) || evs[1].Page != 4 {
		t.Fatalf("slide log after restart: %+v", evs)
	}
}
