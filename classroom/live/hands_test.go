package live

import (
	"testing"

	"github.com/lectern/lectern/token"
)

func TestHandsQueueOrderAndVisibility(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "a", token.RoleAssistant)
	for _, id := range []string{"s1", "s2", "s3"} {
		join(t, l, id, token.RoleStudent)
	}
	var last Result
	for _, id := range []string{"s2", "s1", "s3"} {
		last = ok(t)(l.RaiseHand(ctx, id, HandRaise{}))
	}
	q := events(last, EvHandsQueue)
	if len(q) != 1 {
		t.Fatalf("no hands.queue: %+v", last.Events)
	}
	if _, seen := q[0].For("s1", token.RoleStudent); seen {
		t.Error("students must not see the queue")
	}
	p, seen := q[0].For("a", token.RoleAssistant)
	if !seen {
		t.Fatal("assistant must see the queue")
	}
	got := p.(HandsQueue).Queue
	want := []string{"s2", "s1", "s3"}
	for i, h := range got {
		if h.ParticipantID != want[i] || h.Position != i+1 {
			t.Fatalf("queue = %+v, want order %v", got, want)
		}
	}
	if _, seen := events(last, EvHandRaised)[0].For("s1", token.RoleStudent); !seen {
		t.Error("hand.raised should reach everyone")
	}
}

func TestHandLowering(t *testing.T) {
	tests := []struct {
		name  string
		actor string
		cmd   HandLower
		code  string
	}{
		{"own", "s1", HandLower{}, ""},
		{"own by id", "s1", HandLower{ParticipantID: "s1"}, ""},
		{"teacher lowers one", "t", HandLower{ParticipantID: "s1"}, ""},
		{"assistant lowers one", "a", HandLower{ParticipantID: "s1"}, ""},
		{"student lowers another", "s2", HandLower{ParticipantID: "s1"}, CodeForbidden},
		{"not raised", "s3", HandLower{}, CodeConflict},
		{"unknown target", "t", HandLower{ParticipantID: "zz"}, CodeNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := newTestLesson(t)
			join(t, l, "t", token.RoleTeacher)
			join(t, l, "a", token.RoleAssistant)
			for _, id := range []string{"s1", "s2", "s3"} {
				join(t, l, id, token.RoleStudent)
			}
			ok(t)(l.RaiseHand(ctx, "s1", HandRaise{}))
			ok(t)(l.RaiseHand(ctx, "s2", HandRaise{}))
			r, err := l.LowerHand(ctx, tc.actor, tc.cmd)
			wantCode(t, err, tc.code)
			if err == nil {
				ev := events(r, EvHandLowered)
				if len(ev) != 1 || ev[0].Payload.(HandLowered).ParticipantID != "s1" {
					t.Fatalf("events = %+v", r.Events)
				}
			}
		})
	}
}

func TestLowerAllHands(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "a", token.RoleAssistant)
	join(t, l, "s1", token.RoleStudent)
	join(t, l, "s2", token.RoleStudent)
	ok(t)(l.RaiseHand(ctx, "s1", HandRaise{}))
	ok(t)(l.RaiseHand(ctx, "s2", HandRaise{}))
	r := ok(t)(l.LowerAllHands(ctx, "a", HandLowerAll{}))
	if len(events(r, EvHandLowered)) != 2 {
		t.Fatalf("events = %+v", r.Events)
	}
	if q := events(r, EvHandsQueue); len(q) != 1 || len(q[0].Payload.(HandsQueue).Queue) != 0 {
		t.Fatalf("queue not emptied: %+v", q)
	}
	if r := ok(t)(l.LowerAllHands(ctx, "a", HandLowerAll{})); len(r.Events) != 0 {
		t.Fatal("lowering no hands should emit nothing")
	}
	_, err := l.RaiseHand(ctx, "s1", HandRaise{})
	wantCode(t, err, "")
	_, err = l.RaiseHand(ctx, "s1", HandRaise{})
	wantCode(t, err, CodeConflict)
}

func TestRaiseHandWhileBanned(t *testing.T) {
	l, _ := newTestLesson(t)
	join(t, l, "t", token.RoleTeacher)
	join(t, l, "s", token.RoleStudent)
	r := ok(t)(l.Remove(ctx, "t", ParticipantRemove{ParticipantID: "s", Ban: true}))
	if len(effects(r, EffectDisconnect)) != 1 {
		t.Fatalf("no disconnect: %+v", r.Effects)
	}
	_, err := l.RaiseHand(ctx, "s", HandRaise{})
	wantCode(t, err, CodeBanned)
}
