package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lectern/lectern/classroom/live"
	"github.com/lectern/lectern/classroom/live/livetest"
)

// TestLiveConformance runs live.Store's shared suite on every backend.
func TestLiveConformance(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			livetest.Run(t, func(t *testing.T) live.Store { return b.open(t).Live() })
		})
	}
}

// TestLiveDeadlines checks that the live store gives up with its caller's
// context, on every backend.
func TestLiveDeadlines(t *testing.T) {
	for _, b := range testBackends {
		t.Run(b.name, func(t *testing.T) {
			ls := b.open(t).Live()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := ls.AppendChat(ctx, live.ChatMessage{LessonID: "L", Text: "late"}); err == nil {
				t.Error("a cancelled context still wrote")
			}
			if err := ls.PutAttendance(ctx, live.Attendance{LessonID: "L", ParticipantID: "p"}); err == nil {
				t.Error("a cancelled context still wrote attendance")
			}
			expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel2()
			if _, err := ls.ListChat(expired, live.ChatQuery{LessonID: "L", Limit: 10}); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("list past its deadline: %v", err)
			}
			msgs, err := ls.ListChat(context.Background(), live.ChatQuery{LessonID: "L", Limit: 10, Moderator: true})
			if err != nil || len(msgs) != 0 {
				t.Errorf("cancelled write is visible: %+v, %v", msgs, err)
			}
		})
	}
}
