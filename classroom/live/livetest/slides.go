package livetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
)

// testSlideLog: a lesson's slide timeline comes back in the order
// appended, with times to the millisecond, closes ("" material) kept,
// lessons apart, and concurrent appends all kept.
func testSlideLog(t *testing.T, s live.Store) {
	ctx := context.Background()
	if got, err := s.SlideEvents(ctx, "L"); err != nil || len(got) != 0 {
		t.Fatalf("timeline of a lesson without slides: %v, %v", got, err)
	}
	want := []live.SlideEvent{
		{LessonID: "L", At: t0, MaterialID: "m1", Page: 1},
		{LessonID: "L", At: t0.Add(1500 * time.Millisecond), MaterialID: "m1", Page: 2},
		{LessonID: "L", At: t0.Add(1500 * time.Millisecond), MaterialID: "m1", Page: 3}, // same millisecond: order kept
		{LessonID: "L", At: t0.Add(time.Minute), MaterialID: ""},
	}
	for _, e := range want {
		must(t, s.AppendSlideEvent(ctx, e))
	}
	must(t, s.AppendSlideEvent(ctx, live.SlideEvent{LessonID: "other", At: t0, MaterialID: "m9", Page: 7}))
	got, err := s.SlideEvents(ctx, "L")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("timeline:\n got %+v\nwant %+v", got, want)
	}

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.AppendSlideEvent(ctx, live.SlideEvent{LessonID: "C", At: t0, MaterialID: "m", Page: i + 1})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	got, err = s.SlideEvents(ctx, "C")
	must(t, err)
	seen := map[int]bool{}
	for _, e := range got {
		seen[e.Page] = true
	}
	if len(got) != n || len(seen) != n {
		t.Fatalf("%d concurrent appends kept as %d events (%d pages)", n, len(got), len(seen))
	}
}
