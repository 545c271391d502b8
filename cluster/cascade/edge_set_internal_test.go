package cascade

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
)

// TestEdgeForgetsDialLocks: the edge's per-lesson dial lock is kept only
// while an Ensure of that lesson runs; an edge that served many lessons
// over its life, each dial failed or done, keeps none of them.
func TestEdgeForgetsDialLocks(t *testing.T) {
	refused := errors.New("no origin")
	e := NewEdge(EdgeConfig{NodeID: "edge"}, func(context.Context, string) (string, string, error) { return "", "", refused })
	defer e.Close()
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			// Several asks of one lesson at once share its lock.
			if _, err := e.Ensure(context.Background(), "lesson-"+strconv.Itoa(i%50)); !errors.Is(err, refused) {
				t.Errorf("ensure: %v, want the locator's error", err)
			}
		})
	}
	wg.Wait()
	if _, err := e.Ensure(context.Background(), "mine"); !errors.Is(err, refused) {
		t.Errorf("ensure: %v", err)
	}
	e.mu.Lock()
	n := len(e.dial)
	e.mu.Unlock()
	if n != 0 {
		t.Errorf("the edge keeps %d dial locks after every dial ended, want 0", n)
	}
}
