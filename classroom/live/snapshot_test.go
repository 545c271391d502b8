package live

import (
	"testing"
	"time"

	"github.com/lectern/lectern/token"
)

func TestSnapshotPerRole(t *testing.T) {
	l := matrixLesson(t)
	ts, err := l.Snapshot(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	if len(ts.Hands) != 1 || ts.Hands[0].ParticipantID != "x" || len(ts.Invites) != 1 || ts.Invites[0].ParticipantID != "s" {
		t.Errorf("teacher snapshot hands/invites = %+v / %+v", ts.Hands, ts.Invites)
	}
	if len(ts.Participants) != 7 || len(ts.Stage) != 1 || ts.Stage[0] != "st" || len(ts.Polls) != 2 || len(ts.Questions) != 1 {
		t.Errorf("teacher snapshot = %+v", ts)
	}
	ss, _ := l.Snapshot(ctx, "s")
	if ss.Hands != nil || ss.Invites != nil {
		t.Error("student sees the queue or invites")
	}
	if ss.Self.Invite == nil || ss.Self.Invite.ExpiresAt == 0 {
		t.Errorf("student's own invite missing: %+v", ss.Self)
	}
	xs, _ := l.Snapshot(ctx, "x")
	if xs.Self.HandPosition != 1 || len(xs.Chat.Messages) != 1 {
		t.Errorf("x snapshot = %+v", xs.Self)
	}
	ys, _ := l.Snapshot(ctx, "y")
	if !ys.Self.MutedByModerator || !ys.You.Muted {
		t.Errorf("y snapshot = %+v %+v", ys.Self, ys.You)
	}
	if _, err := l.Snapshot(ctx, "nobody"); CodeOf(err) != CodeNotFound {
		t.Fatalf("unknown: %v", err)
	}
}

// TestConcurrentUse runs commands from many goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	l, c := newTestLesson(t, WithChatRateLimit(1000, time.Second))
	join(t, l, "t", token.RoleTeacher)
	r := ok(t)(l.CreatePoll(ctx, "t", PollCreate{Question: "q", Kind: PollYesNo}))
	poll := events(r, EvPollOpened)[0].Payload.(PollInfo).ID
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			id := string(rune('a' + g))
			if _, err := l.Join(ctx, JoinRequest{ConnID: id, UserID: id, Name: id, Role: token.RoleStudent, Perms: token.DefaultPermissions(token.RoleStudent)}); err != nil {
				t.Error(err)
				return
			}
			for i := range 50 {
				_, _ = l.SendChat(ctx, id, ChatSend{Text: "hi"})
				_, _ = l.RaiseHand(ctx, id, HandRaise{})
				_, _ = l.LowerHand(ctx, id, HandLower{})
				_, _ = l.Vote(ctx, id, PollVote{PollID: poll, Choices: []int{i % 3}})
				_, _ = l.ChangeVote(ctx, id, PollVote{PollID: poll, Choices: []int{i % 3}})
				l.Route(nil)
				_, _ = l.Snapshot(ctx, id)
				l.Tick(ctx, c.Now())
			}
			l.Leave(ctx, id)
		}()
	}
	for range 8 {
		<-done
	}
	r = ok(t)(l.ClosePoll(ctx, "t", PollClose{PollID: poll}))
	if res := events(r, EvPollResults)[0].Payload.(PollResults); res.Total != 8 || res.Counts[0]+res.Counts[1]+res.Counts[2] != 8 {
		t.Fatalf("results = %+v", res)
	}
}
